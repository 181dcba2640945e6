/**
 * Every kind of message, caused by the real event (an invitation, a reset, a reply, a
 * moderator's decision…), arrives at a real SMTP server with the right recipient,
 * subject and link; forum mail is built under the restrictions in force when it is sent.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { mailOutbox, threads, users, type Category } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { changePassword, regenerateRecoveryCodesWithTotp, requestPasswordReset } from '#lib/auth/account.ts';
import { recogniseBrowser } from '#lib/auth/browsers.ts';
import { findOpenInvitation } from '#lib/auth/invitations.ts';
import { findOpenReset } from '#lib/auth/password-resets.ts';
import { hashPassword } from '#lib/auth/passwords.ts';
import { regenerateRecoveryCodes, useRecoveryCode } from '#lib/auth/recovery-codes.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { currentStep, newTotpKey, saveTotpKey, totpCode } from '#lib/auth/totp.ts';
import { createResetLink, inviteMember, resetSecondFactor } from '#lib/admin/members.ts';
import { hidePost, resolveReport } from '#lib/forum/moderation.ts';
import { createReply } from '#lib/forum/posting.ts';
import { reportPost } from '#lib/forum/reports.ts';
import { setCategoryLevel, setThreadLevel } from '#lib/forum/subscriptions.ts';
import { createThread } from '#lib/forum/posting.ts';
import { saveMailSettings } from '#lib/mail/settings.ts';
import type { SinkMessage, SmtpSink } from '#tests/smtp-sink.ts';
import { mailWorld, SITE } from './mail-world.ts';

process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
const world = mailWorld('Freedom Charity');
const { member, category, send } = world;
let db: Database;
let sink: SmtpSink;
let charity: number;
beforeEach(() => {
  ({ db, sink, organisationId: charity } = world);
});

/** The one message that arrived for an address. */
function mailTo(address: string): SinkMessage {
  const found = sink.messages.filter((m) => m.to === address);
  expect(found, `mail to ${address}`).toHaveLength(1);
  return found[0]!;
}

/** The address of the link a message's text holds, after `label:`. */
function link(mail: SinkMessage, label: string): URL {
  const match = new RegExp(`${label}:\\n(\\S+)`).exec(mail.text);
  expect(match, `"${label}" in:\n${mail.text}`).not.toBeNull();
  return new URL(match![1]!);
}

const admin = { userId: null, ip: null, via: 'cli' as const };

describe('joining and account security', () => {
  it('an invitation says who invited whom to which organisation, until when, and its link works', async () => {
    const inviter = await member('Alex Admin', { role: 'admin' });
    const result = await inviteMember(db, { userId: inviter.id, ip: '192.0.2.1', via: 'web' }, { email: 'new.person@example.org', role: 'moderator', organisationId: charity });
    expect(result.ok).toBe(true);
    await send();
    const mail = mailTo('new.person@example.org');
    expect(mail.subject).toBe('Alex Admin invited you to join the National Modern Slavery Network');
    expect(mail.text).toContain('Organisation: Freedom Charity');
    expect(mail.text).toContain('Role: Moderator');
    expect(mail.text).toMatch(/The link works until: \d{1,2} \w+ \d{4} at \d{2}:\d{2} \(UK time\)/);
    const url = link(mail, 'Accept the invitation');
    expect(url.origin).toBe(SITE);
    expect(await findOpenInvitation(db, url.pathname.split('/').pop()!)).not.toBeNull();
    // The sealed token is gone from the outbox once the message is sent.
    const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'invitation')).all();
    expect(row!.payload).toEqual({ invitationId: result.ok && result.invitationId });
  });

  it('a revoked invitation’s email is not sent', async () => {
    const first = await inviteMember(db, admin, { email: 'twice@example.org', role: 'member', organisationId: charity });
    const second = await inviteMember(db, admin, { email: 'twice@example.org', role: 'member', organisationId: charity });
    await send();
    const mail = mailTo('twice@example.org');
    expect(link(mail, 'Accept the invitation').pathname).toBe(second.ok && second.path);
    const skipped = await db.select().from(mailOutbox).where(eq(mailOutbox.ref, `invitation:${first.ok && first.invitationId}`)).get();
    expect(skipped).toMatchObject({ status: 'skipped', lastError: 'The invitation was used, revoked, replaced or has expired.' });
  });

  it('a reset link made by an administrator, or asked for on /forgot, arrives and works', async () => {
    const sam = await member('Sam Member');
    await createResetLink(db, admin, { userId: sam.id });
    await send();
    let mail = mailTo(sam.email);
    expect(mail.subject).toBe('Reset your password for the National Modern Slavery Network');
    expect(mail.text).toContain('A network administrator made you a link');
    expect(await findOpenReset(db, link(mail, 'Choose a new password').pathname.split('/').pop()!)).not.toBeNull();

    sink.messages.length = 0;
    await requestPasswordReset(db, sam.email.toUpperCase(), '192.0.2.9');
    await requestPasswordReset(db, 'nobody@example.org', '192.0.2.9');
    await send();
    mail = mailTo(sam.email);
    expect(mail.text).toContain('Someone, probably you, asked to reset your password');
    expect(await findOpenReset(db, link(mail, 'Choose a new password').pathname.split('/').pop()!)).not.toBeNull();
    expect(sink.messages).toHaveLength(1);
  });

  it('a password change, recovery codes used and renewed, and an authenticator reset are told at once, with no unsubscribe', async () => {
    const sam = await member('Sam Member');
    await write(db, async (tx) => tx.update(users).set({ passwordHash: await hashPassword('correct horse battery staple') }).where(eq(users.id, sam.id)));
    const key = newTotpKey();
    await saveTotpKey(db, sam.id, key, 0);
    const { session } = await createSession(db, sam.id, { mfaVerified: true });
    expect(await changePassword(db, sam.id, session.id, { currentPassword: 'correct horse battery staple', newPassword: 'a brand new passphrase here' })).toMatchObject({ ok: true });
    const codes = await regenerateRecoveryCodes(db, sam.id);
    expect(await useRecoveryCode(db, sam.id, codes[0]!)).toBe(true);
    expect(await regenerateRecoveryCodesWithTotp(db, sam.id, totpCode(key, currentStep(new Date())))).toMatchObject({ ok: true });
    expect(await resetSecondFactor(db, admin, { userId: sam.id })).toMatchObject({ ok: true });
    await send();
    const subjects = sink.messages.map((m) => m.subject).sort();
    expect(subjects).toEqual(['A recovery code was used for your account', 'New recovery codes were made for your account', 'Your authenticator app was changed', 'Your password was changed']);
    expect(sink.messages.every((m) => m.to === sam.email)).toBe(true);
    const used = sink.messages.find((m) => m.subject.startsWith('A recovery code'))!;
    expect(used.text).toContain('You have 9 unused recovery codes left.');
    expect(link(used, 'Make new recovery codes').href).toBe(`${SITE}/account/recovery-codes`);
    expect(sink.messages.find((m) => m.subject.startsWith('Your authenticator'))!.text).toContain('A network administrator reset the authenticator app of your account');
    for (const mail of sink.messages) {
      expect(mail.header('List-Unsubscribe')).toBeUndefined();
      expect(mail.text).toContain('This is a security message about your account, so it is always sent.');
    }
  });

  it('a sign-in from a browser not seen before is told, with browser and address; a known browser is not', async () => {
    const sam = await member('Sam Member');
    const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
    const first = await recogniseBrowser(db, sam.id, undefined, { ip: '192.0.2.1', userAgent: chrome }, { alert: false });
    await recogniseBrowser(db, sam.id, first.token, { ip: '192.0.2.1', userAgent: chrome }, { alert: true });
    await send();
    expect(sink.messages).toHaveLength(0);
    const second = await recogniseBrowser(db, sam.id, undefined, { ip: '198.51.100.7', userAgent: chrome }, { alert: true });
    expect(second.isNew).toBe(true);
    await send();
    const mail = mailTo(sam.email);
    expect(mail.subject).toBe('New sign-in to your account from Chrome on Windows');
    expect(mail.text).toContain('IP address: 198.51.100.7');
    expect(link(mail, 'See where you are signed in').href).toBe(`${SITE}/account#sessions`);
    expect(mail.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.header('List-Unsubscribe')).toMatch(new RegExp(`^<${SITE}/unsubscribe/${sam.id}\\.new-sign-in\\.`));
  });
});

describe('forum mail', () => {
  let general: Category;
  beforeEach(async () => {
    general = await category('General');
  });

  it('mention, reply, quote and watching each arrive with the thread, the poster and a link to the post, not the text', async () => {
    const alex = await member('Alex Author');
    const sam = await member('Sam Member');
    const quinn = await member('Quinn Quoted');
    const watcher = await member('Wren Watcher');
    const started = await createThread(db, alex, { categoryId: general.id, title: 'Referral pathways', body: 'Our referral pathway for adults, version 3.' });
    if (!started.ok) throw new Error('thread');
    await createReply(db, quinn, { threadId: started.thread.id, body: 'Quinn’s secret detail.' });
    await setThreadLevel(db, watcher, started.thread.id, 'watching');
    // Watching replies come in digests by default: this member wants them straight away.
    await saveMailSettings(db, watcher.id, { ...(await settingsForm(watcher.id)), 'cadence-watched-thread-reply': 'immediately' });
    sink.messages.length = 0;
    await send();
    sink.messages.length = 0;

    const reply = await createReply(db, sam, { threadId: started.thread.id, body: `@Alex Author see this.\n\nQuinn Quoted wrote in [post 2](/forum/p/${started.postId + 1}):\n\n> Quinn’s secret detail.`, replyToPostNumber: 1 });
    if (!reply.ok) throw new Error('reply');
    await send();

    const mention = mailTo(alex.email);
    expect(mention.subject).toBe('Sam Member mentioned you in “Referral pathways”');
    expect(link(mention, 'Read the post').href).toBe(`${SITE}/forum/p/${reply.post.id}`);
    expect(mention.text).not.toContain('see this');
    expect(mention.html).not.toContain('see this');
    const quote = mailTo(quinn.email);
    expect(quote.subject).toBe('Sam Member quoted you in “Referral pathways”');
    const watching = mailTo(watcher.email);
    expect(watching.subject).toBe('New reply in “Referral pathways”');
    expect(watching.text).toContain('Sam Member replied in “Referral pathways”, a thread you watch.');
    expect(watching.header('List-Unsubscribe')).toContain(`/unsubscribe/${watcher.id}.watched-thread-reply.`);

    // A plain reply to someone's post.
    sink.messages.length = 0;
    await createReply(db, alex, { threadId: started.thread.id, body: 'Thanks.', replyToPostNumber: reply.post.postNumber });
    await send();
    expect(mailTo(sam.email).subject).toBe('Alex Author replied to you in “Referral pathways”');
  });

  it('a new thread in a watched category is told to its watchers', async () => {
    const alex = await member('Alex Author');
    const wren = await member('Wren Watcher');
    await setCategoryLevel(db, wren, general.id, 'watching');
    await saveMailSettings(db, wren.id, { ...(await settingsForm(wren.id)), 'cadence-watched-category-thread': 'immediately' });
    await createThread(db, alex, { categoryId: general.id, title: 'Training dates', body: 'Dates for spring.' });
    await send();
    const mail = mailTo(wren.email);
    expect(mail.subject).toBe('New thread in General: “Training dates”');
    expect(mail.text).toContain('Alex Author started “Training dates” in General, a category you watch.');
  });

  it('carries the post text only for a member who chose full text', async () => {
    const alex = await member('Alex Author');
    const sam = await member('Sam Member');
    await saveMailSettings(db, sam.id, { ...(await settingsForm(sam.id)), fullText: 'on' });
    await createThread(db, alex, { categoryId: general.id, title: 'Intro', body: 'Hello @Sam Member, the **agenda** is [here](/forum).' });
    await send();
    const mail = mailTo(sam.email);
    expect(mail.text).toContain('> Hello @Sam Member, the **agenda** is [here](/forum).');
    expect(mail.html).toContain('<strong>agenda</strong>');
    expect(mail.html).toContain(`href="${SITE}/forum"`);
  });

  it('checks restrictions when the mail is built: a thread moved out of reach, or muted, sends nothing', async () => {
    const alex = await member('Alex Author', { organisationType: 'opcc' });
    const sam = await member('Sam Member');
    const pccOnly = await category('PCCs only', { allowedOrganisationTypes: ['opcc'] });
    const moved = await createThread(db, alex, { categoryId: general.id, title: 'Moved later', body: 'Hello @Sam Member' });
    const muted = await createThread(db, alex, { categoryId: general.id, title: 'Muted later', body: 'Hello again @Sam Member' });
    if (!moved.ok || !muted.ok) throw new Error('threads');
    await write(db, (tx) => tx.update(threads).set({ categoryId: pccOnly.id }).where(eq(threads.id, moved.thread.id)));
    await setThreadLevel(db, sam, muted.thread.id, 'muted');
    await send();
    expect(sink.messages).toHaveLength(0);
    const rows = await db.select().from(mailOutbox).where(eq(mailOutbox.userId, sam.id)).all();
    expect(rows.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(rows[0]!.lastError).toBe('The post is gone, hidden, muted or no longer visible to the member.');
  });

  it('a member who chose never for a kind gets nothing of it, even if it was queued before', async () => {
    const alex = await member('Alex Author');
    const sam = await member('Sam Member');
    await createThread(db, alex, { categoryId: general.id, title: 'One', body: 'Hi @Sam Member' });
    await saveMailSettings(db, sam.id, { ...(await settingsForm(sam.id)), 'cadence-mention': 'never' });
    await createThread(db, alex, { categoryId: general.id, title: 'Two', body: 'Hi again @Sam Member' });
    await send();
    expect(sink.messages).toHaveLength(0);
    const rows = await db.select().from(mailOutbox).where(eq(mailOutbox.userId, sam.id)).all();
    // The first was queued, then skipped when built; the second was never queued.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'skipped', lastError: 'The member has turned this kind of email off.' });
  });
});

describe('moderation mail', () => {
  it('a reporter hears the decision, and an author that their post was hidden, with the reason', async () => {
    const general = await category('General');
    const alex = await member('Alex Author');
    const rita = await member('Rita Reporter');
    const mo = await member('Mo Moderator', { role: 'moderator' });
    const started = await createThread(db, alex, { categoryId: general.id, title: 'Case notes', body: 'First post' });
    if (!started.ok) throw new Error('thread');
    const reply = await createReply(db, alex, { threadId: started.thread.id, body: 'Second post' });
    if (!reply.ok) throw new Error('reply');
    const first = await reportPost(db, rita, { postId: started.postId, reason: 'It names a person' });
    const second = await reportPost(db, rita, { postId: reply.post.id, reason: 'Off topic here' });
    if (!first.ok || !second.ok) throw new Error('reports');
    await resolveReport(db, { ...mo, ip: null }, { reportId: first.report.id, resolution: 'dismissed' });
    await hidePost(db, { ...mo, ip: null }, { postId: reply.post.id, reason: 'It named a victim', resolveReports: true });
    await send();

    const toRita = sink.messages.filter((m) => m.to === rita.email).map((m) => m.subject).sort();
    expect(toRita).toEqual(['A moderator acted on your report', 'A moderator looked at your report']);
    const hidden = mailTo(alex.email);
    expect(hidden.subject).toBe('A moderator hid your post in “Case notes”');
    expect(hidden.text).toContain('The reason given: It named a victim');
    expect(link(hidden, 'Go to your post').href).toBe(`${SITE}/forum/p/${reply.post.id}`);
  });
});

/** The settings form as the member's current settings would fill it. */
async function settingsForm(userId: number) {
  const { getMailSettings } = await import('#lib/mail/settings.ts');
  const { choosableKinds } = await import('#lib/mail/kinds.ts');
  const current = await getMailSettings(db, userId);
  return {
    ...Object.fromEntries(choosableKinds.map((kind) => [`cadence-${kind}`, current.cadences[kind]])),
    digestHour: current.digestHour,
    ...(current.fullText ? { fullText: 'on' as const } : {}),
  } as Parameters<typeof saveMailSettings>[2];
}
