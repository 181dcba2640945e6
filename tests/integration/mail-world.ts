/**
 * What the mail tests that start from members and the forum share: a real SMTP server
 * (smtp-server, read back with mailparser) on a free port for the whole file, mail
 * settings pointing at it, and for each test a fresh database with one organisation.
 * Call once at the top of a test file; it registers its own set-up and tear-down.
 *
 *   const world = mailWorld('Freedom Charity');
 *   const alex = await world.member('Alex Author');  …  await world.send();
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { categories, organisations, users, type Category, type OrganisationType, type Role } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { loadConfig } from '#lib/config.ts';
import { forumActor, type ForumActor } from '#lib/forum/access.ts';
import { mailConfig, type MailConfig } from '#lib/mail/config.ts';
import { createMailTransport } from '#lib/mail/transport.ts';
import { sendDueMail } from '#lib/mail/worker.ts';
import { startSmtpSink, type SmtpSink } from '#tests/smtp-sink.ts';
import { freshDatabase, type TestDatabase } from './helpers.ts';

export const SITE = 'https://portal.example.org';

export interface MailWorld {
  /** This test's database. */
  db: Database;
  /** The SMTP server, emptied before each test. */
  sink: SmtpSink;
  config: MailConfig;
  /** The organisation members belong to unless a test says otherwise. */
  organisationId: number;
  /** A member (of the organisation, or of a new one of `organisationType`) as the forum sees them, with their address. */
  member(displayName: string, options?: { role?: Role; organisationType?: OrganisationType }): Promise<ForumActor & { email: string }>;
  /** A forum category named `name`, open to all unless restricted. */
  category(name: string, restriction?: Partial<Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'>>): Promise<Category>;
  /** One pass of the worker, as it would run at `now` (default: the real time). */
  send(now?: Date): Promise<void>;
}

export function mailWorld(organisationName: string): MailWorld {
  let t: TestDatabase;
  let n = 0;
  const world = {
    async member(displayName, options = {}) {
      let organisationId = world.organisationId;
      if (options.organisationType) {
        const [org] = await write(world.db, (tx) => tx.insert(organisations).values({ name: `Org ${++n}`, type: options.organisationType!, region: 'national' }).returning());
        organisationId = org!.id;
      }
      const email = `member-${++n}@example.org`;
      const [user] = await write(world.db, (tx) => tx.insert(users).values({ email, displayName, role: options.role ?? 'member', organisationId, passwordHash: 'x' }).returning());
      return { ...(await forumActor(world.db, user!.id)), email };
    },
    async category(name, restriction = {}) {
      const [row] = await write(world.db, (tx) => tx.insert(categories).values({ slug: name.toLowerCase().replace(/\W+/g, '-'), name, description: name, ...restriction }).returning());
      return row!;
    },
    async send(now) {
      const transport = createMailTransport(world.config, { connectionMs: 2_000, socketMs: 2_000 });
      await sendDueMail(world.db, world.config, transport, now ? { now: () => now } : undefined);
      transport.close();
    },
  } as MailWorld;

  beforeAll(async () => {
    world.sink = await startSmtpSink();
    world.config = mailConfig(loadConfig({ SMTP_URL: world.sink.url, SITE_URL: SITE, MAIL_FROM: 'portal@example.org' }));
  });
  afterAll(() => world.sink.close());
  beforeEach(async () => {
    t = await freshDatabase();
    world.db = t.db;
    world.sink.messages.length = 0;
    const [org] = await write(world.db, (tx) => tx.insert(organisations).values({ name: organisationName, type: 'charity', region: 'national' }).returning());
    world.organisationId = org!.id;
  });
  afterEach(() => t.cleanup());
  return world;
}
