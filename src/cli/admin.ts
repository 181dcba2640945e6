/**
 * `npm run admin -- <command>`: administration from the server's command line, for
 * bootstrapping the first administrator and for when the web pages cannot be reached.
 * Uses the same functions as the admin pages (src/lib/admin); every change is audited
 * with no actor and `via: 'cli'`. Exit codes: 0 done, 1 failed, 2 wrong usage.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { organisationTypes, roles, userStatuses, type Role } from '#db/schema.ts';
import { config } from '#lib/config.ts';
import { migrateDatabase, openDatabase, type Database } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import { findUserByEmail } from '#lib/auth/users.ts';
import { currentStep, totpCode } from '#lib/auth/totp.ts';
import { cliActor, formatUtc } from '#lib/admin/common.ts';
import { anotherAdministrator, CONFIRMATION_WORD, eraseMember } from '#lib/auth/erasure.ts';
import { createResetLink, inviteMember, inviteInputSchema, listMembers, resetSecondFactor, suspendMember } from '#lib/admin/members.ts';
import { createOrganisation, findOrganisationByName, organisationInputSchema } from '#lib/admin/organisations.ts';
import { regionKeys } from '#lib/content/taxonomy.ts';

const usage = `Usage: npm run admin -- <command> [options]

Commands:
  create-admin --email E --org "Organisation name" [--name "Their name"] [--type T] [--region R]
        Bootstrap: creates the organisation if it does not exist (type government,
        region national unless given), then emails and prints a one-time invitation
        link for an administrator.
  invite --email E --role R --org "Organisation name"
        Emails and prints a one-time invitation link (works once, for 7 days).
  reset-link --email E
        Emails and prints a one-time password reset link for a member (works once,
        for 1 hour).
  list [--role R] [--status S]
        Lists members: id, email, name, role, status, organisation.
  suspend --email E
        Suspends a member and ends all their sessions.
  reset-second-factor --email E
        Removes a member's authenticator app, recovery codes and passkeys, stops their
        calendar feed and ends their sessions; they set up a new app at their next
        sign-in. Check who is asking first (docs/administration.md).
  erase --email E --confirm DELETE [--delete-posts]
        Erases a member's account (UK GDPR erasure): personal data deleted, the account
        kept as "Former member" so their posts stay; --delete-posts deletes their posts
        too, when they asked for that. Cannot be undone. (Also: erase E --confirm DELETE.)
  demo-code
        Prints the current security code of the demo accounts (not in production).
  help
        Shows this text.

Roles: ${roles.join(', ')}
Statuses: ${userStatuses.join(', ')}
Organisation types: ${organisationTypes.join(', ')}
Regions: ${regionKeys.join(', ')}
`;

/** Wrong usage: the message, then exit code 2. */
class UsageError extends Error {}
/** A command that could not be done: the message, then exit code 1. */
class Failure extends Error {}

type Options = Record<string, { type: 'string' | 'boolean' }>;

function parse<O extends Options>(command: string, args: string[], options: O, required: (keyof O & string)[] = []) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.split('\n')[0]}`);
  }
  for (const name of required) {
    if (typeof values[name] !== 'string' || values[name] === '') throw new UsageError(`${command} needs --${name}`);
  }
  return values as { [K in keyof O]?: string };
}

function checkEmail(command: string, email: string): string {
  const parsed = inviteInputSchema.shape.email.safeParse(email);
  if (!parsed.success) throw new UsageError(`${command}: --email ${parsed.error.issues[0]!.message.toLowerCase()}`);
  return parsed.data;
}

function checkRole(command: string, role: string): Role {
  if (!(roles as readonly string[]).includes(role)) throw new UsageError(`${command}: --role must be one of ${roles.join(', ')}`);
  return role as Role;
}

async function organisationNamed(db: Database, name: string) {
  const organisation = await findOrganisationByName(db, name);
  if (!organisation) throw new Failure(`No organisation is called “${name}”. Check the name, or add it on /admin/organisations.`);
  return organisation;
}

/**
 * Says where the emailed link goes. The link is printed as well, for the first
 * administrator of a portal whose mail is not set up yet.
 */
function mailNote(email: string): string {
  const kept = !config().SMTP_URL;
  return kept
    ? `An email with this link is queued for ${email}, but SMTP_URL is not set, so it will be kept in the outbox (/admin/outbox) rather than sent: send the link yourself.`
    : `An email with this link is queued for ${email}; the running portal (or \`npm run mail:send\`) sends it. The link is printed here too, in case mail is not working yet.`;
}

async function printInvitation(db: Database, email: string, role: Role, organisationId: number, name?: string) {
  const result = await inviteMember(db, cliActor, { email, role, organisationId });
  if (!result.ok) throw new Failure(result.message);
  console.log(`Invitation for ${name ? `${name} <${result.email}>` : result.email} as ${role}.`);
  console.log(`It works once, for 7 days (until ${formatUtc(result.expiresAt)}):`);
  console.log(new URL(result.path, config().SITE_URL).href);
  console.log(mailNote(result.email));
}

async function memberByEmail(db: Database, email: string) {
  const user = await findUserByEmail(db, email);
  if (!user) throw new Failure(`No member has the email address ${email}.`);
  return user;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

const commands: Record<string, (args: string[], db: () => Promise<Database>) => Promise<void>> = {
  async 'create-admin'(args, db) {
    const v = parse('create-admin', args, { email: { type: 'string' }, name: { type: 'string' }, org: { type: 'string' }, type: { type: 'string' }, region: { type: 'string' } }, ['email', 'org']);
    const email = checkEmail('create-admin', v.email!);
    const input = organisationInputSchema.safeParse({ name: v.org, type: v.type ?? 'government', region: v.region ?? 'national' });
    if (!input.success) {
      const issue = input.error.issues[0]!;
      const option = issue.path[0] === 'name' ? 'org' : String(issue.path[0]);
      const allowed = option === 'type' ? organisationTypes.join(', ') : option === 'region' ? regionKeys.join(', ') : undefined;
      throw new UsageError(`create-admin: --${option} ${allowed ? `must be one of ${allowed}` : issue.message.toLowerCase()}`);
    }
    const database = await db();
    let organisation = await findOrganisationByName(database, input.data.name);
    if (organisation) {
      console.log(`Organisation “${organisation.name}” exists; using it.`);
    } else {
      const created = await createOrganisation(database, cliActor, input.data);
      if (!created.ok) throw new Failure(created.message);
      organisation = created.organisation;
      console.log(`Created the organisation “${organisation.name}” (${organisation.type}, ${organisation.region}).`);
    }
    await printInvitation(database, email, 'admin', organisation.id, v.name);
  },

  async invite(args, db) {
    const v = parse('invite', args, { email: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' } }, ['email', 'role', 'org']);
    const email = checkEmail('invite', v.email!);
    const role = checkRole('invite', v.role!);
    const database = await db();
    const organisation = await organisationNamed(database, v.org!);
    await printInvitation(database, email, role, organisation.id);
  },

  async 'reset-link'(args, db) {
    const v = parse('reset-link', args, { email: { type: 'string' } }, ['email']);
    const email = checkEmail('reset-link', v.email!);
    const database = await db();
    const user = await memberByEmail(database, email);
    const result = await createResetLink(database, cliActor, { userId: user.id });
    if (!result.ok) throw new Failure(result.message);
    console.log(`Password reset link for ${user.displayName} <${user.email}>.`);
    console.log(`It works once, for 1 hour (until ${formatUtc(result.expiresAt)}), and they still need their security code:`);
    console.log(new URL(result.path, config().SITE_URL).href);
    console.log(mailNote(user.email));
  },

  async list(args, db) {
    const v = parse('list', args, { role: { type: 'string' }, status: { type: 'string' } });
    const role = v.role === undefined ? undefined : checkRole('list', v.role);
    if (v.status !== undefined && !(userStatuses as readonly string[]).includes(v.status)) throw new UsageError(`list: --status must be one of ${userStatuses.join(', ')}`);
    const status = v.status as (typeof userStatuses)[number] | undefined;
    const database = await db();
    const { rows, total } = await listMembers(database, { role, status }, 1, 1_000_000);
    // The list holds members' personal data: who printed it, and what, is recorded.
    await audit(database, { actorId: null, action: 'member-list', outcome: 'success', detail: { via: 'cli', role: role ?? null, status: status ?? null, count: total } });
    if (total === 0) {
      console.log('No members match.');
      return;
    }
    console.log(table(['id', 'email', 'name', 'role', 'status', 'organisation'], rows.map((m) => [String(m.id), m.email, m.displayName, m.role, m.status, m.organisationName])));
    console.log(`${total} ${total === 1 ? 'member' : 'members'}.`);
  },

  async suspend(args, db) {
    const v = parse('suspend', args, { email: { type: 'string' } }, ['email']);
    const email = checkEmail('suspend', v.email!);
    const database = await db();
    const user = await memberByEmail(database, email);
    const result = await suspendMember(database, cliActor, { userId: user.id });
    if (!result.ok) throw new Failure(result.message);
    console.log(`${user.displayName} <${user.email}> is suspended; ${result.sessionsEnded} ${result.sessionsEnded === 1 ? 'session was' : 'sessions were'} ended.`);
  },

  async 'reset-second-factor'(args, db) {
    const v = parse('reset-second-factor', args, { email: { type: 'string' } }, ['email']);
    const email = checkEmail('reset-second-factor', v.email!);
    const database = await db();
    const user = await memberByEmail(database, email);
    const result = await resetSecondFactor(database, cliActor, { userId: user.id });
    if (!result.ok) throw new Failure(result.message);
    console.log(`${user.displayName} <${user.email}>: authenticator app and recovery codes removed; ${result.sessionsEnded} ${result.sessionsEnded === 1 ? 'session was' : 'sessions were'} ended.`);
    console.log('They will set up a new app when they next sign in with their password.');
  },

  async erase(args, db) {
    // The address may come as --email E or on its own (erase E …).
    const first = args[0] && !args[0].startsWith('-') ? ['--email', ...args] : args;
    const v = parse('erase', first, { email: { type: 'string' }, confirm: { type: 'string' }, 'delete-posts': { type: 'boolean' } }, ['email']) as { email?: string; confirm?: string; 'delete-posts'?: boolean };
    const email = checkEmail('erase', v.email!);
    // As on the web, the word must be typed: an erasure cannot be undone.
    if (v.confirm !== CONFIRMATION_WORD) throw new UsageError(`erase: add --confirm ${CONFIRMATION_WORD} to erase ${email} (it cannot be undone)`);
    const database = await db();
    const user = await memberByEmail(database, email);
    if (user.role === 'admin' && user.status === 'active' && !(await anotherAdministrator(database, user.id))) {
      throw new Failure(`${user.email} is the only administrator. Make another member an administrator first, so that the network keeps one.`);
    }
    const removePosts = v['delete-posts'] === true;
    const result = await eraseMember(database, { userId: null, ip: null, by: 'administrator', via: 'cli' }, { userId: user.id, confirmation: CONFIRMATION_WORD, removePosts });
    if (!result.ok) throw new Failure(result.message);
    console.log(`${user.displayName} <${user.email}> is erased: the account is now Former member #${user.id}; ${result.sessionsEnded} ${result.sessionsEnded === 1 ? 'session was' : 'sessions were'} ended.`);
    console.log(removePosts ? `${result.postsRemoved} ${result.postsRemoved === 1 ? 'post was' : 'posts were'} deleted.` : 'Their posts stay, shown as by Former member (erase them later from /admin/members/<id> if they ask).');
  },

  async 'demo-code'(args) {
    parse('demo-code', args, {});
    if (config().production) {
      throw new Failure('demo-code is refused when NODE_ENV=production: demo accounts are never created in production, and their shared key is public.');
    }
    const { DEMO_TOTP_SECRET } = await import('#demo/seed.ts');
    const step = currentStep();
    const secondsLeft = 30 - (Math.floor(Date.now() / 1000) % 30);
    console.log(totpCode(decodeBase32IgnorePadding(DEMO_TOTP_SECRET), step));
    console.error(`Security code for the demo accounts; it changes in ${secondsLeft} s, and each code works once per account.`);
  },

  async help() {
    console.log(usage);
  },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command) {
    console.error(usage);
    return 2;
  }
  const run = commands[command === '--help' || command === '-h' ? 'help' : command];
  if (!run) {
    console.error(`Unknown command: ${command}\n\n${usage}`);
    return 2;
  }
  let database: Database | undefined;
  const db = async () => {
    if (!database) {
      database = await openDatabase();
      await migrateDatabase(database);
    }
    return database;
  };
  try {
    await run(args, db);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\nRun \`npm run admin -- help\` for the commands and their options.`);
      return 2;
    }
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    database?.$client.close();
  }
}

// Relative paths (the default database, the key file) are relative to the project.
process.chdir(fileURLToPath(new URL('../..', import.meta.url)));
process.exitCode = await main(process.argv.slice(2));
