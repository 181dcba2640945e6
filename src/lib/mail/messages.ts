/**
 * What each kind of message says, built when it is sent from what the database holds
 * then. A builder returns the content, or a reason to send nothing (the invitation was
 * revoked, the post was hidden, the member can no longer see the category…).
 *
 * Forum mail names the thread, the poster and links to the post; it carries the post's
 * text only when the member chose that (mail leaves our control, and the forum holds
 * safeguarding conversations).
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { invitations, organisations, passwordResets, posts, reports, threads, users, type MailKind, type OutboxRow } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import { roleLabels } from '#lib/auth/roles.ts';
import { findVisiblePost } from '#lib/forum/post-edits.ts';
import { siteName } from '#lib/site.ts';
import type { Block, MailContent } from './compose.ts';
import { kindInfo, payloadSchemas, type Payload } from './kinds.ts';
import { findPostForMail, type Recipient } from './recipients.ts';
import type { MailSettings } from './settings.ts';
import { openLinkToken, unsubscribeToken } from './tokens.ts';

export interface BuildContext {
  db: Queryable;
  /** The member it is for, as they are now (null for an invitation). */
  recipient: Recipient | null;
  settings: MailSettings | null;
  siteOrigin: URL;
  now: Date;
}

export type Built = { ok: true; content: MailContent } | { ok: false; skip: string };

const skip = (reason: string): Built => ({ ok: false, skip: reason });
const ukTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/London' });
/** "1 December 2026 at 07:00 (UK time)". */
export const formatUkTime = (date: Date) => `${ukTime.format(date)} (UK time)`;

const url = (ctx: BuildContext, path: string) => new URL(path, ctx.siteOrigin).href;
const settingsUrl = (ctx: BuildContext) => url(ctx, '/account/email');
const greeting = (ctx: BuildContext) => (ctx.recipient ? `Hello ${ctx.recipient.displayName},` : undefined);
const quoted = (title: string) => `“${title}”`;

/** The footer of a message members may choose how often to get, with its one-click unsubscribe. */
export function choosableFooter(ctx: BuildContext, scope: MailKind | 'digest-daily' | 'digest-weekly', reason: string): Pick<MailContent, 'reason' | 'settingsUrl' | 'unsubscribe'> {
  const token = unsubscribeToken({ userId: ctx.recipient!.id, scope });
  const digest = /^digest-(\w+)$/.exec(scope)?.[1];
  const label = digest ? `Stop the ${digest} digest` : `Stop emails about ${kindInfo[scope as MailKind].topic}`;
  return { reason, settingsUrl: settingsUrl(ctx), unsubscribe: { label, url: url(ctx, `/unsubscribe/${token}`) } };
}

/** The footer of an account security message: always sent, so no unsubscribe. */
function security(ctx: BuildContext): Pick<MailContent, 'reason' | 'settingsUrl'> {
  return { reason: 'This is a security message about your account, so it is always sent.', settingsUrl: settingsUrl(ctx) };
}

const notYou = (ctx: BuildContext): Block => ({
  type: 'p',
  text: `If this was not you, reset your password now at ${url(ctx, '/forgot')} and tell your network administrator: someone may know your password.`,
});

type Builder<K extends MailKind> = (ctx: BuildContext, data: Payload<K>, row: OutboxRow) => Promise<Built>;

// ─── Joining and account security ──────────────────────────────────────────────

const invitation: Builder<'invitation'> = async (ctx, data) => {
  const inviters = alias(users, 'inviters');
  const row = await ctx.db
    .select({ invitation: invitations, organisation: organisations.name, inviter: inviters.displayName })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .leftJoin(inviters, eq(inviters.id, invitations.invitedBy))
    .where(and(eq(invitations.id, data.invitationId), isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, ctx.now)))
    .get();
  if (!row) return skip('The invitation was used, revoked, replaced or has expired.');
  const token = openLinkToken(data.token);
  if (!token) return skip('The invitation link could not be read (its key has changed).');
  const who = row.inviter ?? `A ${siteName} administrator`;
  return {
    ok: true,
    content: {
      subject: `${who} invited you to join the ${siteName}`,
      greeting: 'Hello,',
      blocks: [
        { type: 'p', text: `${who} has invited you to join the members’ area of the ${siteName}: its forum and members-only guidance for police, PCC offices and partner agencies working against modern slavery.` },
        { type: 'facts', rows: [['Organisation', row.organisation], ['Role', roleLabels[row.invitation.role]], ['The link works until', formatUkTime(row.invitation.expiresAt)]] },
        { type: 'action', label: 'Accept the invitation', url: url(ctx, `/invite/${token}`) },
        { type: 'p', text: 'The link works once. You will choose your name and a password, then set up an authenticator app on your phone: every sign-in needs a code from it.' },
        { type: 'p', text: 'If you were not expecting this, you can ignore this email: nothing happens unless the link is used.' },
      ],
      reason: `You get this email because ${who} entered your address to invite you.`,
    },
  };
};

const passwordReset: Builder<'password-reset'> = async (ctx, data) => {
  const reset = await ctx.db
    .select()
    .from(passwordResets)
    .where(and(eq(passwordResets.id, data.resetId), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, ctx.now)))
    .get();
  if (!reset || reset.userId !== ctx.recipient!.id) return skip('The reset link was used, replaced or has expired.');
  const token = openLinkToken(data.token);
  if (!token) return skip('The reset link could not be read (its key has changed).');
  const why =
    data.requestedBy === 'member'
      ? 'Someone, probably you, asked to reset your password on the sign-in page.'
      : 'A network administrator made you a link to choose a new password.';
  return {
    ok: true,
    content: {
      subject: `Reset your password for the ${siteName}`,
      greeting: greeting(ctx),
      blocks: [
        { type: 'p', text: why },
        { type: 'action', label: 'Choose a new password', url: url(ctx, `/reset/${token}`) },
        { type: 'p', text: `The link works once, until ${formatUkTime(reset.expiresAt)}. You will also need a code from your authenticator app, or one of your recovery codes.` },
        { type: 'p', text: 'If you did not ask for this, you can ignore this email: your password stays as it is.' },
      ],
      ...security(ctx),
    },
  };
};

const passwordChanged: Builder<'password-changed'> = async (ctx, data, row) => ({
  ok: true,
  content: {
    subject: 'Your password was changed',
    greeting: greeting(ctx),
    blocks: [
      {
        type: 'p',
        text: `The password of your account was ${data.how === 'reset' ? 'reset with an emailed link' : 'changed on your account page'} on ${formatUkTime(row.createdAt)}. You have been signed out everywhere else.`,
      },
      { type: 'p', text: 'If this was you, there is nothing to do.' },
      notYou(ctx),
    ],
    ...security(ctx),
  },
});

const authenticatorChanged: Builder<'authenticator-changed'> = async (ctx, data, row) => ({
  ok: true,
  content: {
    subject: 'Your authenticator app was changed',
    greeting: greeting(ctx),
    blocks: [
      {
        type: 'p',
        text:
          data.how === 'reset-by-administrator'
            ? `A network administrator reset the authenticator app of your account on ${formatUkTime(row.createdAt)}. You will set up an app again at your next sign-in.`
            : `A new authenticator app was set up for your account on ${formatUkTime(row.createdAt)}. Codes from the old one no longer work.`,
      },
      { type: 'p', text: 'If you expected this, there is nothing to do.' },
      notYou(ctx),
    ],
    ...security(ctx),
  },
});

const passkeysChanged: Builder<'passkeys-changed'> = async (ctx, data, row) => ({
  ok: true,
  content: {
    subject: data.how === 'added' ? 'A passkey was added to your account' : 'A passkey was removed from your account',
    greeting: greeting(ctx),
    blocks: [
      {
        type: 'p',
        text:
          data.how === 'added'
            ? `A passkey named “${data.name}” was added to your account on ${formatUkTime(row.createdAt)}. It can be used to sign in without your password.`
            : `The passkey named “${data.name}” was removed from your account on ${formatUkTime(row.createdAt)}. It can no longer be used to sign in.`,
      },
      { type: 'p', text: 'If you expected this, there is nothing to do.' },
      {
        type: 'p',
        // A passkey someone else added outlives a new password: it must be removed as well.
        text: `If this was not you, remove any passkey you do not know at ${url(ctx, '/account/passkeys')}, reset your password at ${url(ctx, '/forgot')} and tell your network administrator.`,
      },
    ],
    ...security(ctx),
  },
});

const recoveryCodeUsed: Builder<'recovery-code-used'> = async (ctx, data, row) => ({
  ok: true,
  content: {
    subject: 'A recovery code was used for your account',
    greeting: greeting(ctx),
    blocks: [
      { type: 'p', text: `One of your recovery codes was used instead of a code from your authenticator app on ${formatUkTime(row.createdAt)}. Each code works once.` },
      { type: 'p', text: `You have ${data.remaining} unused recovery ${data.remaining === 1 ? 'code' : 'codes'} left. You can make new ones on your account page.` },
      { type: 'action', label: 'Make new recovery codes', url: url(ctx, '/account/recovery-codes') },
      notYou(ctx),
    ],
    ...security(ctx),
  },
});

const recoveryCodesRenewed: Builder<'recovery-codes-renewed'> = async (ctx, _data, row) => ({
  ok: true,
  content: {
    subject: 'New recovery codes were made for your account',
    greeting: greeting(ctx),
    blocks: [
      { type: 'p', text: `New recovery codes were made for your account on ${formatUkTime(row.createdAt)}. The old ones no longer work.` },
      notYou(ctx),
    ],
    ...security(ctx),
  },
});

const newSignIn: Builder<'new-sign-in'> = async (ctx, data) => ({
  ok: true,
  content: {
    subject: `New sign-in to your account from ${data.browser}`,
    greeting: greeting(ctx),
    blocks: [
      { type: 'p', text: 'Your account was signed in to from a browser it has not been used from before.' },
      { type: 'facts', rows: [['Browser', data.browser], ['IP address', data.ip ?? 'Not recorded'], ['When', formatUkTime(new Date(data.at))]] },
      { type: 'p', text: 'If this was you, there is nothing to do.' },
      { type: 'p', text: 'If not, sign that session out and change your password on your account page, and tell your network administrator.' },
      { type: 'action', label: 'See where you are signed in', url: url(ctx, '/account#sessions') },
    ],
    ...choosableFooter(ctx, 'new-sign-in', 'You get this email because sign-in alerts are on for your account.'),
  },
});

// ─── The forum ─────────────────────────────────────────────────────────────────

const forumWording = {
  mention: (who: string, title: string) => ({
    subject: `${who} mentioned you in ${quoted(title)}`,
    line: `${who} mentioned you in ${quoted(title)}.`,
    why: 'when someone mentions you',
  }),
  reply: (who: string, title: string) => ({
    subject: `${who} replied to you in ${quoted(title)}`,
    line: `${who} replied to your post in ${quoted(title)}.`,
    why: 'when someone replies to your posts',
  }),
  quote: (who: string, title: string) => ({
    subject: `${who} quoted you in ${quoted(title)}`,
    line: `${who} quoted your post in ${quoted(title)}.`,
    why: 'when someone quotes your posts',
  }),
  'watched-thread-reply': (who: string, title: string) => ({
    subject: `New reply in ${quoted(title)}`,
    line: `${who} replied in ${quoted(title)}, a thread you watch.`,
    why: 'about new replies in threads you watch',
  }),
  'watched-category-thread': (who: string, title: string, category: string) => ({
    subject: `New thread in ${category}: ${quoted(title)}`,
    line: `${who} started ${quoted(title)} in ${category}, a category you watch.`,
    why: 'about new threads in categories you watch',
  }),
} as const;

/** How many characters of a post's text go into mail, for members who chose full text. */
const FULL_TEXT_MAX = 5_000;

function forumBuilder<K extends keyof typeof forumWording>(kind: K): Builder<K> {
  return async (ctx, data) => {
    const post = await findPostForMail(ctx.db, ctx.recipient!, data.postId);
    if (!post) return skip('The post is gone, hidden, muted or no longer visible to the member.');
    const wording = forumWording[kind](post.authorName, post.threadTitle, post.categoryName);
    const blocks: Block[] = [{ type: 'p', text: wording.line }];
    if (ctx.settings?.fullText) {
      const long = post.raw.length > FULL_TEXT_MAX;
      blocks.push({ type: 'quote', text: long ? `${post.raw.slice(0, FULL_TEXT_MAX)}…` : post.raw, html: long ? undefined : post.html });
    }
    blocks.push({ type: 'action', label: kind === 'watched-category-thread' ? 'Read the thread' : 'Read the post', url: url(ctx, post.path) });
    return {
      ok: true,
      content: {
        subject: wording.subject,
        greeting: greeting(ctx),
        blocks,
        ...choosableFooter(ctx, kind, `You get this email because you chose to hear straight away ${wording.why}.`),
      },
    };
  };
}

// ─── Moderation ────────────────────────────────────────────────────────────────

const reportDecision: Builder<'report-decision'> = async (ctx, data) => {
  const report = await ctx.db.select().from(reports).where(eq(reports.id, data.reportId)).get();
  if (!report || report.reporterId !== ctx.recipient!.id) return skip('The report is gone.');
  const found = await findVisiblePost(ctx.db, ctx.recipient!, report.postId);
  const where = found ? ` in ${quoted(found.thread.title)}` : '';
  const blocks: Block[] =
    data.resolution === 'resolved'
      ? [{ type: 'p', text: `A moderator acted on your report about a post${where}. Thank you for telling us.` }]
      : [{ type: 'p', text: `A moderator looked at your report about a post${where} and decided that nothing needed to be done. Thank you for telling us all the same.` }];
  if (found) blocks.push({ type: 'action', label: 'Go to the thread', url: url(ctx, `/forum/t/${found.thread.id}/${found.thread.slug}`) });
  return {
    ok: true,
    content: {
      subject: data.resolution === 'resolved' ? 'A moderator acted on your report' : 'A moderator looked at your report',
      greeting: greeting(ctx),
      blocks,
      ...choosableFooter(ctx, 'report-decision', 'You get this email because you reported a post to the moderators.'),
    },
  };
};

const postHidden: Builder<'post-hidden'> = async (ctx, data) => {
  const recipient = ctx.recipient!;
  let title: string;
  let path: string;
  // Their own writing: its title is theirs to see, whatever has happened to the category since.
  if (data.postId) {
    const found = await ctx.db.select({ post: posts, title: threads.title }).from(posts).innerJoin(threads, eq(threads.id, posts.threadId)).where(eq(posts.id, data.postId)).get();
    if (!found || !found.post.hiddenAt || found.post.deletedAt || found.post.authorId !== recipient.id) return skip('The post was shown again or is gone.');
    title = found.title;
    path = `/forum/p/${found.post.id}`;
  } else {
    const found = await ctx.db.select().from(threads).where(eq(threads.id, data.threadId!)).get();
    if (!found || !found.hiddenAt || found.authorId !== recipient.id) return skip('The thread was shown again or is gone.');
    title = found.title;
    path = '/forum';
  }
  const what = data.postId ? 'your post' : 'your thread';
  return {
    ok: true,
    content: {
      subject: `A moderator hid ${what} in ${quoted(title)}`,
      greeting: greeting(ctx),
      blocks: [
        { type: 'p', text: `A moderator hid ${what} in ${quoted(title)}. Other members no longer see its text; moderators still can.` },
        { type: 'facts', rows: [['The reason given', data.reason]] },
        { type: 'p', text: 'If you think this was a mistake, ask a moderator about it.' },
        { type: 'action', label: data.postId ? 'Go to your post' : 'Go to the forum', url: url(ctx, path) },
      ],
      ...choosableFooter(ctx, 'post-hidden', 'You get this email because a moderator hid something you wrote.'),
    },
  };
};

// ─── The dispatcher ────────────────────────────────────────────────────────────

const builders: { [K in Exclude<MailKind, 'digest'>]: Builder<K> } = {
  invitation,
  'password-reset': passwordReset,
  'password-changed': passwordChanged,
  'authenticator-changed': authenticatorChanged,
  'passkeys-changed': passkeysChanged,
  'recovery-code-used': recoveryCodeUsed,
  'recovery-codes-renewed': recoveryCodesRenewed,
  'new-sign-in': newSignIn,
  mention: forumBuilder('mention'),
  reply: forumBuilder('reply'),
  quote: forumBuilder('quote'),
  'watched-thread-reply': forumBuilder('watched-thread-reply'),
  'watched-category-thread': forumBuilder('watched-category-thread'),
  'report-decision': reportDecision,
  'post-hidden': postHidden,
};

/** Builds one message of any kind but a digest (./digests.ts builds those from these). */
export async function buildMessage(ctx: BuildContext, row: OutboxRow): Promise<Built> {
  if (row.kind === 'digest') throw new Error('Digests are built by buildDigest');
  const parsed = payloadSchemas[row.kind].safeParse(row.payload);
  if (!parsed.success) return skip('Its stored details were not readable.');
  const builder = builders[row.kind] as Builder<typeof row.kind>;
  return builder(ctx, parsed.data as never, row);
}
