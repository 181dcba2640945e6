/**
 * The member directory against a real libSQL file: who is in it (active members only),
 * search and filters (hostile input included), what a profile shows (hidden fields never
 * leave the database), the profile form's rules, recent threads by visibility, the
 * categories offered for "Mention in a new thread", and the export.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';

process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');

import { auditLog, organisations, users, type Category, type Organisation, type User } from '#db/schema.ts';
import { write } from '#lib/db.ts';
import { exportMyData } from '#lib/auth/account.ts';
import { findOrganisation, findPerson, listPeople, parseDirectoryFilters, SEARCH_MAX } from '#lib/directory/directory.ts';
import { ownProfile, profileInputSchema, saveProfile } from '#lib/directory/profiles.ts';
import { forumActor } from '#lib/forum/access.ts';
import { categoriesSharedWith } from '#lib/forum/categories.ts';
import { startThread } from '#lib/forum/posting.ts';
import { recentThreadsBy } from '#lib/forum/threads.ts';
import { createTestUser, freshDatabase, openAndChiefsCategories, type TestDatabase } from './helpers.ts';
import { blankProfile } from '#tests/blank-profile.ts';

let t: TestDatabase;
let force: Organisation;
let charity: Organisation;
let open: Category;
let chiefs: Category;
let officer: User;
let supporter: User;
let suspended: User;
const PASSWORD_HASH = 'not-a-real-hash';

/** What the profile form sends, as parseForm hands it to the schema. */
const form = (fields: Record<string, string | string[]>) => profileInputSchema.safeParse({ areas: [], ...fields });
const messageFor = (fields: Record<string, string | string[]>, field: string) => {
  const parsed = form(fields);
  expect(parsed.success).toBe(false);
  return parsed.error!.issues.find((i) => i.path[0] === field)?.message;
};

beforeAll(async () => {
  t = await freshDatabase();
  [force, charity] = await write(t.db, (tx) =>
    tx
      .insert(organisations)
      .values([
        { name: 'Directory Police', type: 'police-force', region: 'north-east' },
        { name: 'Directory Charity', type: 'charity', region: 'london' },
      ])
      .returning(),
  ) as [Organisation, Organisation];
  [open, chiefs] = await openAndChiefsCategories(t.db);
  officer = (await createTestUser(t.db, { displayName: 'Priya Officer', organisationId: force.id, passwordHash: PASSWORD_HASH })).user;
  supporter = (await createTestUser(t.db, { displayName: 'Jo Supporter', organisationId: charity.id, passwordHash: PASSWORD_HASH })).user;
  suspended = (await createTestUser(t.db, { displayName: 'Sid Suspended', organisationId: force.id, status: 'suspended', passwordHash: PASSWORD_HASH })).user;
  await saveProfile(t.db, officer.id, { ...blankProfile, roleTitle: 'Modern slavery lead, North East', areas: ['regional-networks', 'prosecution'], workPhone: '01632 960 001', showWorkPhone: false, workEmail: 'priya@force.test', showWorkEmail: true });
  await saveProfile(t.db, supporter.id, { ...blankProfile, roleTitle: 'Survivor support', areas: ['victim-identification'], askMeAbout: 'Safe houses', showAskMeAbout: true });
  await saveProfile(t.db, suspended.id, { ...blankProfile, roleTitle: 'Modern slavery lead, elsewhere' });
});
afterAll(() => t.cleanup());

describe('who is in the directory', () => {
  it('lists active members with their organisation, type, region and areas, by name', async () => {
    const { people, total } = await listPeople(t.db);
    expect(total).toBe(2);
    expect(people.map((p) => p.displayName)).toEqual(['Jo Supporter', 'Priya Officer']);
    expect(people[1]).toMatchObject({ organisationName: 'Directory Police', organisationType: 'police-force', region: 'north-east', roleTitle: 'Modern slavery lead, North East', areas: ['regional-networks', 'prosecution'] });
  });

  it('leaves suspended members out of every list, search and profile', async () => {
    expect((await listPeople(t.db, { q: 'Sid' })).total).toBe(0);
    expect((await listPeople(t.db, { organisationId: force.id })).people.map((p) => p.id)).toEqual([officer.id]);
    expect(await findPerson(t.db, suspended.id)).toBeNull();
    expect(await findPerson(t.db, 999_999)).toBeNull();
  });

  it('finds people by name or role title, organisation type, region and area of practice', async () => {
    const names = async (filters: Parameters<typeof listPeople>[1]) => (await listPeople(t.db, filters)).people.map((p) => p.displayName);
    expect(await names({ q: 'priya' })).toEqual(['Priya Officer']);
    expect(await names({ q: 'slavery lead' })).toEqual(['Priya Officer']);
    expect(await names({ type: 'charity' })).toEqual(['Jo Supporter']);
    expect(await names({ region: 'north-east' })).toEqual(['Priya Officer']);
    expect(await names({ area: 'victim-identification' })).toEqual(['Jo Supporter']);
    expect(await names({ type: 'police-force', area: 'prosecution' })).toEqual(['Priya Officer']);
    expect(await names({ type: 'police-force', area: 'victim-identification' })).toEqual([]);
  });

  it('treats hostile search text as text, and refuses searches that are too long', async () => {
    for (const q of ['%', '_', '\\', "' or 1=1 --", '"', 'NEAR(a b)', '*', '%_%', '<script>alert(1)</script>', 'ﬁ', '🙂'.repeat(50)]) {
      const { filters } = parseDirectoryFilters(new URLSearchParams({ q }));
      expect(filters.q, q).toBeDefined();
      expect((await listPeople(t.db, filters)).total, q).toBe(0);
    }
    for (const q of ['\u0000', 'a\u0000%', 'bell\u0007']) {
      const { filters, errors } = parseDirectoryFilters(new URLSearchParams({ q }));
      expect(filters.q).toBeUndefined();
      expect(errors.q).toContain('letters, numbers');
    }
    const params = new URLSearchParams({ q: 'x'.repeat(SEARCH_MAX + 1), type: 'pirates', region: 'north-east', area: 'nrm; drop table users' });
    const { filters, errors } = parseDirectoryFilters(params);
    expect(filters).toEqual({ region: 'north-east' });
    expect(Object.keys(errors).sort()).toEqual(['area', 'q', 'type']);
    expect(errors.q).toBe(`Search for at most ${SEARCH_MAX} characters`);
  });
});

describe('what a profile shows', () => {
  it('shows ask-me-about, phone and email only when the member chose to; a hidden value never leaves the database', async () => {
    const priya = (await findPerson(t.db, officer.id))!;
    expect(priya.workEmail).toBe('priya@force.test');
    expect(priya.workPhone).toBeNull();
    expect(priya.askMeAbout).toBeNull();
    const jo = (await findPerson(t.db, supporter.id))!;
    expect(jo.askMeAbout).toBe('Safe houses');
    expect(jo.workEmail).toBeNull();
    // The member's own copy still has the hidden number, to show it again later.
    expect((await ownProfile(t.db, officer.id))!.workPhone).toBe('01632 960 001');
  });

  it('refuses a field over its length, and links other than https, mailto or tel', () => {
    expect(messageFor({ roleTitle: 'x'.repeat(121) }, 'roleTitle')).toContain('120 characters or fewer');
    expect(messageFor({ askMeAbout: 'x'.repeat(501) }, 'askMeAbout')).toContain('500 characters or fewer');
    expect(messageFor({ link: `https://example.org/${'x'.repeat(300)}` }, 'link')).toContain('300 characters or fewer');
    for (const link of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<b>x</b>', 'http://example.org', 'vbscript:x', 'ftp://example.org', 'file:///etc/passwd']) {
      expect(messageFor({ link }, 'link'), link).toContain('https://, mailto: or tel:');
    }
    expect(messageFor({ link: 'example.org' }, 'link')).toContain('full link');
    for (const link of ['https://example.org/about', 'mailto:someone@example.org', 'tel:+441632960000']) expect(form({ link }).success, link).toBe(true);
  });

  it('refuses a bad phone number or email, an unknown area, control characters, and "show" with nothing to show', () => {
    expect(messageFor({ workPhone: 'call me maybe' }, 'workPhone')).toContain('digits');
    expect(messageFor({ workPhone: '123' }, 'workPhone')).toContain('whole phone number');
    expect(messageFor({ workEmail: 'not an address' }, 'workEmail')).toContain('email address');
    expect(messageFor({ areas: ['pirates'] }, 'areas')).toContain('from the list');
    expect(messageFor({ roleTitle: 'Lead\u202Eevil' }, 'roleTitle')).toContain('letters');
    expect(messageFor({ showWorkPhone: 'on' }, 'workPhone')).toContain('untick');
    expect(messageFor({ showWorkEmail: 'on' }, 'workEmail')).toContain('untick');
    expect(messageFor({ showAskMeAbout: 'on' }, 'askMeAbout')).toContain('untick');
    const ok = form({ roleTitle: '  Lead  ', askMeAbout: 'Line one\r\nLine two', showAskMeAbout: 'on', areas: ['nrm', 'nrm'] });
    expect(ok.data).toMatchObject({ roleTitle: 'Lead', askMeAbout: 'Line one\nLine two', showAskMeAbout: true, areas: ['nrm'], workPhone: null, showWorkPhone: false });
  });

  it('audits a change by the names of the fields changed, never their values', async () => {
    const member = (await createTestUser(t.db, { organisationId: charity.id, passwordHash: PASSWORD_HASH })).user;
    await saveProfile(t.db, member.id, { ...blankProfile, workPhone: '01632 960 777' });
    await saveProfile(t.db, member.id, { ...blankProfile, workPhone: '01632 960 777', showWorkPhone: true });
    const rows = await t.db.select().from(auditLog).where(eq(auditLog.actorId, member.id)).all();
    expect(rows.map((r) => r.detail)).toEqual([expect.objectContaining({ fields: expect.arrayContaining(['workPhone']) }), { fields: ['showWorkPhone'] }]);
    expect(JSON.stringify(rows)).not.toContain('960 777');
  });

  it('puts the whole profile, hidden fields included, in the member’s export', async () => {
    const data = await exportMyData(t.db, officer.id);
    expect(data.directoryProfile).toMatchObject({ roleTitle: 'Modern slavery lead, North East', workPhone: '01632 960 001', workPhoneShown: false, workEmailShown: true, areasOfPractice: ['regional-networks', 'prosecution'] });
  });

  it('finds an organisation by id', async () => {
    expect(await findOrganisation(t.db, force.id)).toMatchObject({ name: 'Directory Police', region: 'north-east' });
    expect(await findOrganisation(t.db, 987_654)).toBeNull();
  });
});

describe('threads and mentions on a profile', () => {
  it('lists the threads a member started that the viewer may see, newest first', async () => {
    const priya = await forumActor(t.db, officer.id);
    await startThread(t.db, priya, { categoryId: open.id, title: 'Joint operations with Border Force', body: 'How did yours go?' });
    await startThread(t.db, priya, { categoryId: chiefs.id, title: 'Chiefs only: a restricted thread', body: 'For chiefs.' });
    const byPolice = await recentThreadsBy(t.db, priya, officer.id);
    expect(byPolice.map((r) => r.thread.title)).toEqual(['Chiefs only: a restricted thread', 'Joint operations with Border Force']);
    const byCharity = await recentThreadsBy(t.db, await forumActor(t.db, supporter.id), officer.id);
    expect(byCharity.map((r) => r.thread.title)).toEqual(['Joint operations with Border Force']);
  });

  it('offers only categories both members can see for a mention', async () => {
    const priya = await forumActor(t.db, officer.id);
    const jo = await forumActor(t.db, supporter.id);
    expect((await categoriesSharedWith(t.db, priya, jo)).map((c) => c.slug)).toEqual(['open']);
    expect((await categoriesSharedWith(t.db, priya, priya)).map((c) => c.slug).sort()).toEqual(['chiefs', 'open']);
  });
});

it('keeps the suspended member’s profile for when they come back', async () => {
  await write(t.db, (tx) => tx.update(users).set({ status: 'active' }).where(eq(users.id, suspended.id)));
  expect((await findPerson(t.db, suspended.id))?.roleTitle).toBe('Modern slavery lead, elsewhere');
  await write(t.db, (tx) => tx.update(users).set({ status: 'suspended' }).where(eq(users.id, suspended.id)));
});
