/**
 * Administration against a real libSQL file: role changes, suspension, refusals, the
 * organisation name rule, audit rows and filters, and the `npm run admin` CLI.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, invitations, organisations, users, type Role, type User } from '#db/schema.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import { findOpenInvitation } from '#lib/auth/invitations.ts';
import { findOpenReset } from '#lib/auth/password-resets.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';
import type { Actor } from '#lib/admin/common.ts';
import {
  changeRole,
  createResetLink,
  getMember,
  inviteMember,
  listMembers,
  listOpenInvitations,
  parseMemberFilters,
  reactivateMember,
  resendInvitation,
  revokeInvitation,
  revokeMemberSessions,
  suspendMember,
} from '#lib/admin/members.ts';
import { createOrganisation, listOrganisations, organisationInputSchema, organisationTypeLabels, updateOrganisation } from '#lib/admin/organisations.ts';
import { auditActions, listAuditEntries, parseAuditFilters } from '#lib/admin/audit-log.ts';
import { organisationTypes } from '#db/schema.ts';

process.env.TOTP_ENCRYPTION_KEY = randomBytes(32).toString('base64');

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nmsn-admin-'));
let db: Database;
let orgId: number;
let admin: User;
let actor: Actor;
let count = 0;

async function member(role: Role = 'member', name = 'Member'): Promise<User> {
  count += 1;
  const [user] = await write(db, (tx) =>
    tx
      .insert(users)
      .values({ email: `${role}-${count}@example.org`, displayName: `${name} ${count}`, role, organisationId: orgId, passwordHash: 'not-a-real-hash' })
      .returning(),
  );
  return user!;
}

async function lastAudit(action: string) {
  return db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(1).get();
}

beforeAll(async () => {
  db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'portal.db')}` });
  await migrateDatabase(db);
  const [org] = await write(db, (tx) => tx.insert(organisations).values({ name: 'Test Police', type: 'police-force', region: 'london' }).returning());
  orgId = org!.id;
  admin = await member('admin', 'Admin');
  actor = { userId: admin.id, sessionId: null, ip: '203.0.113.9', via: 'web' };
});

afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('members', () => {
  it('changes a role and audits who, what, target and where', async () => {
    const target = await member();
    const result = await changeRole(db, actor, { userId: target.id, role: 'moderator' });
    expect(result.ok).toBe(true);
    expect((await db.select().from(users).where(eq(users.id, target.id)).get())!.role).toBe('moderator');
    const row = await lastAudit('member-role-change');
    expect(row).toMatchObject({ actorId: admin.id, outcome: 'success', targetType: 'user', targetId: String(target.id), ip: '203.0.113.9', detail: { from: 'member', to: 'moderator' } });
  });

  it('refuses an administrator lowering their own role, and changes nothing', async () => {
    const result = await changeRole(db, actor, { userId: admin.id, role: 'member' });
    expect(result).toMatchObject({ ok: false, reason: 'self', field: 'role' });
    if (!result.ok) expect(result.message).toMatch(/cannot change your own role/);
    expect((await db.select().from(users).where(eq(users.id, admin.id)).get())!.role).toBe('admin');
    expect(await lastAudit('member-role-change')).toMatchObject({ outcome: 'refused', targetId: String(admin.id), actorId: admin.id });
  });

  it('refuses an unknown member id and audits the refusal', async () => {
    const result = await changeRole(db, actor, { userId: 999_999, role: 'editor' });
    expect(result).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await lastAudit('member-role-change')).toMatchObject({ outcome: 'refused', targetId: '999999', detail: { reason: 'not-found' } });
    expect(await suspendMember(db, actor, { userId: 999_999 })).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await lastAudit('member-suspend')).toMatchObject({ outcome: 'refused', targetId: '999999' });
  });

  it('suspension revokes every session, and reactivation lets the member back in', async () => {
    const target = await member();
    const one = await createSession(db, target.id, { mfaVerified: true });
    const two = await createSession(db, target.id, { mfaVerified: true });
    expect((await validateSessionToken(db, one.token)).user?.id).toBe(target.id);

    const result = await suspendMember(db, actor, { userId: target.id });
    expect(result).toMatchObject({ ok: true, sessionsEnded: 2 });
    expect((await validateSessionToken(db, one.token)).session).toBeNull();
    expect((await validateSessionToken(db, two.token)).session).toBeNull();
    expect((await getMember(db, target.id))!.status).toBe('suspended');
    expect(await lastAudit('member-suspend')).toMatchObject({ outcome: 'success', actorId: admin.id, targetId: String(target.id) });
    // Suspended members cannot be sent a reset link.
    expect(await createResetLink(db, actor, { userId: target.id })).toMatchObject({ ok: false, reason: 'conflict' });

    expect(await reactivateMember(db, actor, { userId: target.id })).toMatchObject({ ok: true });
    const three = await createSession(db, target.id, { mfaVerified: true });
    expect((await validateSessionToken(db, three.token)).user?.id).toBe(target.id);
  });

  it('refuses an administrator suspending themselves, and changes nothing', async () => {
    const session = await createSession(db, admin.id, { mfaVerified: true });
    const result = await suspendMember(db, actor, { userId: admin.id });
    expect(result).toMatchObject({ ok: false, reason: 'self' });
    if (!result.ok) expect(result.message).toMatch(/cannot suspend your own account/);
    expect((await db.select().from(users).where(eq(users.id, admin.id)).get())!.status).toBe('active');
    expect((await validateSessionToken(db, session.token)).user?.id).toBe(admin.id);
    expect(await lastAudit('member-suspend')).toMatchObject({ outcome: 'refused', detail: { reason: 'self' } });
  });

  it('revokes sessions, keeping an administrator’s own current one', async () => {
    const target = await member();
    const s = await createSession(db, target.id, { mfaVerified: true });
    expect(await revokeMemberSessions(db, actor, { userId: target.id })).toMatchObject({ ok: true, sessionsEnded: 1 });
    expect((await validateSessionToken(db, s.token)).session).toBeNull();

    const mine = await createSession(db, admin.id, { mfaVerified: true });
    const other = await createSession(db, admin.id, { mfaVerified: true });
    await revokeMemberSessions(db, { ...actor, sessionId: mine.session.id }, { userId: admin.id });
    expect((await validateSessionToken(db, mine.token)).session).not.toBeNull();
    expect((await validateSessionToken(db, other.token)).session).toBeNull();
    expect(await lastAudit('member-sessions-revoke')).toMatchObject({ outcome: 'success', targetId: String(admin.id) });
  });

  it('makes a reset link that works, and shows a member asked for one until a link is made', async () => {
    const target = await member();
    await audit(db, { actorId: null, action: 'password-reset-request', outcome: 'success', targetType: 'user', targetId: target.id, ip: '198.51.100.1' }, new Date(Date.now() - 60_000));
    expect((await getMember(db, target.id))!.resetRequestedAt).toBeInstanceOf(Date);
    expect((await listMembers(db, { q: target.email })).rows[0]!.resetRequestedAt).toBeInstanceOf(Date);

    const result = await createResetLink(db, actor, { userId: target.id });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.path).toBe(`/reset/${result.token}`);
    expect((await findOpenReset(db, result.token))?.user.id).toBe(target.id);
    expect((await getMember(db, target.id))!.resetRequestedAt).toBeNull();
    expect(await lastAudit('password-reset-create')).toMatchObject({ actorId: admin.id, targetType: 'user', targetId: String(target.id) });
  });
});

describe('invitations', () => {
  it('invites, refuses an existing member’s address and an unknown organisation', async () => {
    const result = await inviteMember(db, actor, { email: ' New.Person@Example.org ', role: 'editor', organisationId: orgId });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.email).toBe('new.person@example.org');
    const open = await findOpenInvitation(db, result.token);
    expect(open).toMatchObject({ email: 'new.person@example.org', role: 'editor', organisationId: orgId, invitedBy: admin.id });
    expect(await lastAudit('invitation-create')).toMatchObject({ actorId: admin.id, outcome: 'success', ip: '203.0.113.9' });

    expect(await inviteMember(db, actor, { email: admin.email.toUpperCase(), role: 'member', organisationId: orgId })).toMatchObject({ ok: false, reason: 'taken', field: 'email' });
    expect(await inviteMember(db, actor, { email: 'someone@example.org', role: 'member', organisationId: 424242 })).toMatchObject({ ok: false, field: 'organisationId' });
    expect(await db.select().from(invitations).where(eq(invitations.email, 'someone@example.org')).all()).toEqual([]);
  });

  it('resend makes a fresh link and stops the old one; revoke stops a link', async () => {
    const first = await inviteMember(db, actor, { email: 'resend@example.org', role: 'member', organisationId: orgId });
    if (!first.ok) throw new Error('invite failed');
    const resent = await resendInvitation(db, actor, { invitationId: first.invitationId });
    if (!resent.ok) throw new Error(resent.message);
    expect(await findOpenInvitation(db, first.token)).toBeNull();
    expect(await findOpenInvitation(db, resent.token)).not.toBeNull();
    expect((await listOpenInvitations(db)).filter((i) => i.email === 'resend@example.org').map((i) => i.id)).toEqual([resent.invitationId]);
    expect(await resendInvitation(db, actor, { invitationId: first.invitationId })).toMatchObject({ ok: false, reason: 'not-found' });

    expect(await revokeInvitation(db, actor, { invitationId: resent.invitationId })).toMatchObject({ ok: true, email: 'resend@example.org' });
    expect(await findOpenInvitation(db, resent.token)).toBeNull();
    expect(await lastAudit('invitation-revoke')).toMatchObject({ outcome: 'success', targetId: String(resent.invitationId) });
    expect(await revokeInvitation(db, actor, { invitationId: resent.invitationId })).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('organisations', () => {
  it('has a label for every organisation type', () => {
    for (const type of organisationTypes) expect(organisationTypeLabels[type]).toMatch(/\w/);
  });

  it('validates input with clear messages', () => {
    const bad = organisationInputSchema.safeParse({ name: ' ', type: 'pub', region: 'mars' });
    expect(bad.success).toBe(false);
    const fields = Object.fromEntries(bad.error!.issues.map((i) => [i.path[0], i.message]));
    expect(fields).toMatchObject({ name: expect.stringMatching(/name/), type: 'Choose the type of organisation', region: 'Choose a region' });
  });

  it('creates, edits, and refuses a name already used (whatever its case), changing nothing', async () => {
    const created = await createOrganisation(db, actor, { name: 'Eastshire Council', type: 'local-authority-safeguarding', region: 'east-of-england' });
    if (!created.ok) throw new Error(created.message);
    expect(await lastAudit('organisation-create')).toMatchObject({ outcome: 'success', actorId: admin.id, targetId: String(created.organisation.id) });

    const clash = await createOrganisation(db, actor, { name: 'test police', type: 'charity', region: 'national' });
    expect(clash).toMatchObject({ ok: false, reason: 'taken', field: 'name' });
    if (!clash.ok) expect(clash.message).toContain('There is already an organisation called');
    expect((await listOrganisations(db)).filter((o) => o.name.toLowerCase() === 'test police')).toHaveLength(1);
    expect(await lastAudit('organisation-create')).toMatchObject({ outcome: 'refused' });

    const renameClash = await updateOrganisation(db, actor, { id: created.organisation.id, name: 'TEST POLICE', type: 'health', region: 'london' });
    expect(renameClash).toMatchObject({ ok: false, field: 'name' });
    const unchanged = (await listOrganisations(db)).find((o) => o.id === created.organisation.id)!;
    expect(unchanged).toMatchObject({ name: 'Eastshire Council', type: 'local-authority-safeguarding' });

    const edited = await updateOrganisation(db, actor, { id: created.organisation.id, name: 'Eastshire County Council', type: 'local-authority-safeguarding', region: 'east-midlands' });
    expect(edited).toMatchObject({ ok: true, organisation: { name: 'Eastshire County Council', region: 'east-midlands' } });
    expect(await lastAudit('organisation-update')).toMatchObject({
      outcome: 'success',
      detail: { changes: { name: { from: 'Eastshire Council', to: 'Eastshire County Council' }, region: { from: 'east-of-england', to: 'east-midlands' } } },
    });
    // Keeping its own name (another case) is not a clash.
    expect(await updateOrganisation(db, actor, { id: created.organisation.id, name: 'EASTSHIRE County Council', type: 'health', region: 'east-midlands' })).toMatchObject({ ok: true });
    expect(await updateOrganisation(db, actor, { id: 987_654, name: 'Nowhere', type: 'health', region: 'london' })).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('filters', () => {
  it('filters members by role, status, organisation and text, with % and _ taken literally', async () => {
    const [otherOrg] = await write(db, (tx) => tx.insert(organisations).values({ name: 'Filter Charity', type: 'charity', region: 'wales' }).returning());
    const [alice] = await write(db, (tx) =>
      tx.insert(users).values({ email: 'alice_smith@filter.test', displayName: 'Alice 100% Smith', role: 'editor', organisationId: otherOrg!.id, passwordHash: 'x' }).returning(),
    );
    await write(db, (tx) => tx.insert(users).values({ email: 'bob@filter.test', displayName: 'Bob Jones', role: 'member', status: 'suspended', organisationId: otherOrg!.id, passwordHash: 'x' }));

    const emails = async (filters: Parameters<typeof listMembers>[1]) => (await listMembers(db, filters)).rows.map((r) => r.email);
    expect(await emails({ organisationId: otherOrg!.id })).toEqual(['alice_smith@filter.test', 'bob@filter.test']);
    expect(await emails({ organisationId: otherOrg!.id, role: 'editor' })).toEqual(['alice_smith@filter.test']);
    expect(await emails({ organisationId: otherOrg!.id, status: 'suspended' })).toEqual(['bob@filter.test']);
    expect(await emails({ q: 'ALICE' })).toEqual(['alice_smith@filter.test']);
    expect(await emails({ q: '100%' })).toEqual(['alice_smith@filter.test']);
    expect(await emails({ q: 'e_s' })).toEqual(['alice_smith@filter.test']);
    expect(await emails({ q: '%' })).toEqual(['alice_smith@filter.test']);
    expect((await listMembers(db, { q: 'filter.test' })).total).toBe(2);
    expect((await listMembers(db, {}, 1, 2)).rows).toHaveLength(2);

    const parsed = parseMemberFilters(new URLSearchParams({ q: ' alice ', role: 'overlord', status: 'active', organisationId: String(alice!.organisationId) }));
    expect(parsed.filters).toEqual({ q: 'alice', status: 'active', organisationId: otherOrg!.id });
    expect(parsed.errors).toEqual({ role: 'Choose a role from the list' });
  });

  it('filters the audit log by action, actor, outcome and UTC day, newest first, paged', async () => {
    const other = await member('moderator', 'Auditor');
    const day = (iso: string) => new Date(iso);
    await audit(db, { actorId: other.id, action: 'test-thing', outcome: 'success', ip: '192.0.2.1' }, day('2030-01-01T00:00:00Z'));
    await audit(db, { actorId: other.id, action: 'test-thing', outcome: 'refused', ip: '192.0.2.1' }, day('2030-01-02T23:59:59Z'));
    await audit(db, { actorId: admin.id, action: 'test-thing', outcome: 'success', ip: '192.0.2.2' }, day('2030-01-03T00:00:00Z'));

    const list = (f: Parameters<typeof listAuditEntries>[1]) => listAuditEntries(db, { action: 'test-thing', ...f });
    expect((await list({})).rows.map((r) => r.at.toISOString())).toEqual(['2030-01-03T00:00:00.000Z', '2030-01-02T23:59:59.000Z', '2030-01-01T00:00:00.000Z']);
    expect((await list({ actor: other.email.toUpperCase() })).total).toBe(2);
    expect((await list({ actor: other.email })).rows[0]).toMatchObject({ actorEmail: other.email, actorName: other.displayName });
    expect((await list({ outcome: 'refused' })).total).toBe(1);
    expect((await list({ from: '2030-01-02', to: '2030-01-02' })).rows.map((r) => r.outcome)).toEqual(['refused']);
    expect((await list({ from: '2030-01-02' })).total).toBe(2);
    expect((await list({ to: '2030-01-01' })).total).toBe(1);
    const page2 = await listAuditEntries(db, { action: 'test-thing' }, 2, 2);
    expect(page2).toMatchObject({ total: 3, rows: [{ at: day('2030-01-01T00:00:00Z') }] });
    expect(await auditActions(db)).toContain('test-thing');

    const parsed = parseAuditFilters(new URLSearchParams({ action: 'test-thing', outcome: 'maybe', from: '2030-02-30', to: '2030-01-01' }));
    expect(parsed.filters).toEqual({ action: 'test-thing', to: '2030-01-01' });
    expect(parsed.errors).toEqual({ outcome: 'Choose an outcome from the list', from: 'Enter a real date, like 2026-03-31' });
    expect(parseAuditFilters(new URLSearchParams({ from: '2030-01-05', to: '2030-01-01' })).errors).toEqual({ to: 'The end date must be the same as or later than the start date' });
  });
});

describe('npm run admin', () => {
  const cliDir = mkdtempSync(join(tmpdir(), 'nmsn-admin-cli-'));
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_ENV|VITEST.*|TEST|DEV|PROD|MODE|SSR|BASE_URL)$/.test(k))),
    DATABASE_URL: `file:${join(cliDir, 'portal.db')}`,
    SITE_URL: 'https://portal.example.org',
  };
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['src/cli/admin.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    return { code: run.status, out: run.stdout, err: run.stderr };
  };
  afterAll(() => rmSync(cliDir, { recursive: true, force: true }));

  it('prints usage and exits 2 without a command, with an unknown one, or with a bad option', () => {
    for (const args of [[], ['launch-rockets'], ['invite', '--email', 'x@example.org'], ['list', '--colour', 'red'], ['invite', '--email', 'nope', '--role', 'member', '--org', 'X']]) {
      const run = cli(...args);
      expect(run.code, args.join(' ')).toBe(2);
    }
    expect(cli().err).toContain('Usage: npm run admin -- <command>');
    expect(cli('launch-rockets').err).toMatch(/^Unknown command: launch-rockets\n/);
    expect(cli('invite', '--email', 'x@example.org').err).toMatch(/^invite needs --role\n/);
    const help = cli('help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('create-admin --email E');
  });

  it('create-admin makes the organisation and prints an invitation link that works', async () => {
    const run = cli('create-admin', '--email', 'First.Admin@Example.org', '--name', 'First Admin', '--org', 'Home Office Bootstrap');
    expect(run.code, run.err).toBe(0);
    const link = run.out.match(/https:\/\/portal\.example\.org\/invite\/\S+/)?.[0];
    expect(link).toBeDefined();
    const token = new URL(link!).pathname.split('/').pop()!;

    const cliDb = await openDatabase({ DATABASE_URL: env.DATABASE_URL });
    try {
      const invitation = await findOpenInvitation(cliDb, token);
      expect(invitation).toMatchObject({ email: 'first.admin@example.org', role: 'admin', invitedBy: null });
      const org = await cliDb.select().from(organisations).where(eq(organisations.id, invitation!.organisationId)).get();
      expect(org).toMatchObject({ name: 'Home Office Bootstrap', type: 'government', region: 'national' });
      const rows = await cliDb.select().from(auditLog).where(and(eq(auditLog.outcome, 'success'))).all();
      expect(rows.map((r) => r.action)).toEqual(['organisation-create', 'invitation-create']);
      for (const row of rows) expect(row).toMatchObject({ actorId: null, detail: expect.objectContaining({ via: 'cli' }) });
    } finally {
      cliDb.$client.close();
    }

    // Run again: the organisation is reused (whatever the case), a fresh link replaces the first.
    const again = cli('create-admin', '--email', 'first.admin@example.org', '--org', 'home office BOOTSTRAP');
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('Organisation “Home Office Bootstrap” exists; using it.');
    const check = await openDatabase({ DATABASE_URL: env.DATABASE_URL });
    try {
      expect(await findOpenInvitation(check, token)).toBeNull();
      expect(await check.select().from(organisations).all()).toHaveLength(1);
    } finally {
      check.$client.close();
    }
    const bad = cli('create-admin', '--email', 'first.admin@example.org', '--org', 'Home Office Bootstrap', '--type', 'nonsense');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--type must be one of');
  });

  it('lists, invites, suspends and makes reset links, with failures exiting 1', async () => {
    const cliDb = await openDatabase({ DATABASE_URL: env.DATABASE_URL });
    try {
      const org = await cliDb.select().from(organisations).get();
      await write(cliDb, (tx) =>
        tx.insert(users).values([
          { email: 'ann@example.org', displayName: 'Ann Example', role: 'admin', organisationId: org!.id, passwordHash: 'x' },
          { email: 'ben@example.org', displayName: 'Ben Example', role: 'member', organisationId: org!.id, passwordHash: 'x' },
        ]),
      );
      const ben = await cliDb.select().from(users).where(eq(users.email, 'ben@example.org')).get();
      const { token } = await createSession(cliDb, ben!.id, { mfaVerified: true });

      const list = cli('list');
      expect(list.code).toBe(0);
      const lines = list.out.trim().split('\n');
      expect(lines[0]).toMatch(/^id\s+email\s+name\s+role\s+status\s+organisation$/);
      expect(lines.find((l) => l.includes('ben@example.org'))).toMatch(/ben@example\.org\s+Ben Example\s+member\s+active\s+Home Office Bootstrap/);
      expect(cli('list', '--role', 'admin').out).not.toContain('ben@example.org');
      expect(cli('list', '--status', 'frozen').code).toBe(2);

      const suspended = cli('suspend', '--email', 'BEN@example.org');
      expect(suspended.code, suspended.err).toBe(0);
      expect(suspended.out).toContain('1 session was ended');
      expect((await validateSessionToken(cliDb, token)).session).toBeNull();
      expect(cli('list', '--status', 'suspended').out).toContain('ben@example.org');
      expect(cli('suspend', '--email', 'nobody@example.org')).toMatchObject({ code: 1, err: 'No member has the email address nobody@example.org.\n' });

      const reset = cli('reset-link', '--email', 'ann@example.org');
      expect(reset.code, reset.err).toBe(0);
      const resetToken = reset.out.match(/\/reset\/(\S+)/)?.[1];
      expect((await findOpenReset(cliDb, resetToken!))?.user.email).toBe('ann@example.org');

      const invite = cli('invite', '--email', 'cat@example.org', '--role', 'editor', '--org', 'HOME OFFICE BOOTSTRAP');
      expect(invite.code, invite.err).toBe(0);
      const inviteToken = invite.out.match(/\/invite\/(\S+)/)?.[1];
      expect(await findOpenInvitation(cliDb, inviteToken!)).toMatchObject({ email: 'cat@example.org', role: 'editor' });
      // The link is emailed too; with no SMTP_URL the CLI says it will be kept instead.
      expect(invite.out).toContain('An email with this link is queued for cat@example.org, but SMTP_URL is not set');
      expect(reset.out).toContain('An email with this link is queued for ann@example.org');
      const send = spawnSync(process.execPath, ['src/cli/mail.ts', 'send'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
      expect(send.status, send.stderr).toBe(0);
      expect(send.stdout).toMatch(/^\d+ kept for \/admin\/outbox \(no SMTP_URL\), 0 to try again later, 0 failed/);
      expect(cli('invite', '--email', 'dan@example.org', '--role', 'member', '--org', 'No Such Org').code).toBe(1);
      expect(cli('invite', '--email', 'ann@example.org', '--role', 'member', '--org', 'Home Office Bootstrap')).toMatchObject({ code: 1, err: 'There is already a member with this email address.\n' });

      const cliRows = await cliDb.select().from(auditLog).where(eq(auditLog.outcome, 'success')).all();
      for (const action of ['member-suspend', 'password-reset-create', 'invitation-create', 'member-list']) {
        expect(cliRows.find((r) => r.action === action)).toMatchObject({ actorId: null, detail: expect.objectContaining({ via: 'cli' }) });
      }
    } finally {
      cliDb.$client.close();
    }
  });

  it('erase erases a member, audited as the command line, after --confirm DELETE; never the only administrator', async () => {
    const cliDb = await openDatabase({ DATABASE_URL: env.DATABASE_URL });
    try {
      const org = await cliDb.select().from(organisations).get();
      const [erin] = await write(cliDb, (tx) => tx.insert(users).values({ email: 'erin@example.org', displayName: 'Erin Example', role: 'member', organisationId: org!.id, passwordHash: 'x' }).returning());
      const { token } = await createSession(cliDb, erin!.id, { mfaVerified: true });

      const unconfirmed = cli('erase', '--email', 'erin@example.org');
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.err).toContain('add --confirm DELETE to erase erin@example.org');
      expect(cli('erase', 'erin@example.org', '--confirm', 'delete').code).toBe(2);
      expect((await cliDb.select().from(users).where(eq(users.id, erin!.id)).get())?.status).toBe('active');

      const run = cli('erase', 'Erin@Example.org', '--confirm', 'DELETE');
      expect(run.code, run.err).toBe(0);
      expect(run.out).toContain(`Erin Example <erin@example.org> is erased: the account is now Former member #${erin!.id}; 1 session was ended.`);
      expect(await cliDb.select().from(users).where(eq(users.id, erin!.id)).get()).toMatchObject({ status: 'erased', displayName: 'Former member', email: `erased:${erin!.id}` });
      expect((await validateSessionToken(cliDb, token)).session).toBeNull();
      const [row] = await cliDb.select().from(auditLog).where(and(eq(auditLog.action, 'account-erase'), eq(auditLog.targetId, String(erin!.id)))).all();
      expect(row).toMatchObject({ actorId: null, outcome: 'success', detail: { by: 'administrator', via: 'cli', postsRemoved: 0, sessionsEnded: 1 } });

      // Gone already, or never there: exit 1.
      expect(cli('erase', '--email', 'erin@example.org', '--confirm', 'DELETE')).toMatchObject({ code: 1, err: 'No member has the email address erin@example.org.\n' });
      // Ann is the only administrator here: the network must keep one.
      const admins = await cliDb.select().from(users).where(and(eq(users.role, 'admin'), eq(users.status, 'active'))).all();
      expect(admins.map((a) => a.email)).toEqual(['ann@example.org']);
      const last = cli('erase', '--email', 'ann@example.org', '--confirm', 'DELETE');
      expect(last.code).toBe(1);
      expect(last.err).toContain('is the only administrator');
      expect((await cliDb.select().from(users).where(eq(users.email, 'ann@example.org')).get())?.status).toBe('active');
    } finally {
      cliDb.$client.close();
    }
  });

  it('demo-code prints a 6-digit code, and refuses in production', () => {
    const run = cli('demo-code');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^\d{6}\n$/);
    const prod = spawnSync(process.execPath, ['src/cli/admin.ts', 'demo-code'], { cwd: root, env: { ...env, NODE_ENV: 'production' }, encoding: 'utf8' });
    expect(prod.status).toBe(1);
    expect(prod.stderr).toMatch(/refused when NODE_ENV=production/);
    expect(prod.stdout).toBe('');
  });
});
