/**
 * Moderators' forms: pin, lock, move, hide and restore threads; hide and restore posts;
 * resolve and dismiss reports. Each handler checks that the caller is a signed-in
 * moderator (editors and administrators count) BEFORE it reads the form; a refusal is
 * audited. Then the form is validated with zod and src/lib/forum/moderation.ts does the
 * work, audited in the same transaction. The forms sit on the thread page
 * (ThreadModeration, PostModeration) and on /moderation.
 */
import { ActionError, defineAction, type ActionAPIContext } from 'astro:actions';
import { z } from 'zod';
import { getDb, type Database } from '#lib/db.ts';
import { requireActor } from '#lib/auth/guards.ts';
import { forumActor, type Refusal } from '#lib/forum/access.ts';
import {
  auditModerationRefusal,
  hidePost,
  hideThread,
  moderationAuditActions,
  moveThread,
  reasonSchema,
  resolveReport,
  restorePost,
  restoreThread,
  setLocked,
  setPinned,
  type ModerationActor,
} from '#lib/forum/moderation.ts';
import { fieldError, parseForm } from './errors.ts';

type ActionName = keyof typeof moderationAuditActions;

/** The signed-in moderator, or a thrown UNAUTHORIZED / FORBIDDEN that is audited first. */
async function requireModerator(context: ActionAPIContext, name: string, auditAction: string): Promise<{ db: Database; actor: ModerationActor }> {
  const db = await getDb();
  try {
    const { user } = requireActor(context, 'moderator');
    return { db, actor: { ...(await forumActor(db, user.id)), ip: context.clientAddress } };
  } catch (error) {
    if (error instanceof ActionError) {
      await auditModerationRefusal(db, {
        actorId: context.locals.user?.id ?? null,
        ip: context.clientAddress,
        action: auditAction,
        targetType: 'action',
        targetId: `moderation.${name}`,
        reason: error.code === 'FORBIDDEN' ? 'not-a-moderator' : 'not-signed-in',
      });
    }
    throw error;
  }
}

function fail(refusal: Refusal): never {
  if (refusal.reason === 'invalid' && refusal.field) throw fieldError(refusal.field, refusal.message);
  const code = refusal.reason === 'not-found' ? 'NOT_FOUND' : refusal.reason === 'forbidden' ? 'FORBIDDEN' : 'CONFLICT';
  throw new ActionError({ code, message: refusal.message });
}

const id = (what: string) => z.coerce.number({ error: `Unknown ${what}` }).int(`Unknown ${what}`).positive(`Unknown ${what}`);
const chosen = (what: string) => z.coerce.number({ error: `Choose ${what}` }).int(`Choose ${what}`).positive(`Choose ${what}`);
const threadForm = z.object({ threadId: id('thread') });
const postForm = z.object({ postId: id('post') });
const reportForm = z.object({ reportId: id('report') });

/** Defines a moderator's form action: permission first, then the form, then the work. */
function moderatorAction<T>(name: string, auditAction: ActionName, run: (db: Database, actor: ModerationActor, form: FormData) => Promise<T>) {
  return defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const { db, actor } = await requireModerator(context, name, moderationAuditActions[auditAction]);
      return run(db, actor, form);
    },
  });
}

export const moderation = {
  pin: moderatorAction('pin', 'pin', async (db, actor, form) => {
    const result = await setPinned(db, actor, { ...parseForm(threadForm, form), pinned: true });
    if (!result.ok) fail(result);
    return { threadId: result.thread.id, message: 'The thread is pinned to the top of its category.' };
  }),

  unpin: moderatorAction('unpin', 'unpin', async (db, actor, form) => {
    const result = await setPinned(db, actor, { ...parseForm(threadForm, form), pinned: false });
    if (!result.ok) fail(result);
    return { threadId: result.thread.id, message: 'The thread is no longer pinned.' };
  }),

  lock: moderatorAction('lock', 'lock', async (db, actor, form) => {
    const result = await setLocked(db, actor, { ...parseForm(threadForm, form), locked: true });
    if (!result.ok) fail(result);
    return { threadId: result.thread.id, message: 'The thread is locked: members can no longer reply.' };
  }),

  unlock: moderatorAction('unlock', 'unlock', async (db, actor, form) => {
    const result = await setLocked(db, actor, { ...parseForm(threadForm, form), locked: false });
    if (!result.ok) fail(result);
    return { threadId: result.thread.id, message: 'The thread is unlocked: members can reply again.' };
  }),

  move: moderatorAction('move', 'move', async (db, actor, form) => {
    const result = await moveThread(db, actor, parseForm(threadForm.extend({ categoryId: chosen('a category to move it to') }), form));
    if (!result.ok) fail(result);
    return { threadId: result.thread.id, message: 'The thread is moved. Members who cannot see its new category no longer see it.' };
  }),

  hideThread: moderatorAction('hideThread', 'hideThread', async (db, actor, form) => {
    const result = await hideThread(db, actor, parseForm(threadForm.extend({ reason: reasonSchema }), form));
    if (!result.ok) fail(result);
    return { threadId: result.thread.id, message: 'The thread is hidden from members. Moderators still see it, marked.' };
  }),

  restoreThread: moderatorAction('restoreThread', 'restoreThread', async (db, actor, form) => {
    const result = await restoreThread(db, actor, parseForm(threadForm, form));
    if (!result.ok) fail(result);
    return { threadId: result.thread.id, message: 'The thread is restored: members see it again.' };
  }),

  hidePost: moderatorAction('hidePost', 'hidePost', async (db, actor, form) => {
    const input = parseForm(postForm.extend({ reason: reasonSchema, resolveReports: z.literal('yes').optional() }), form);
    const result = await hidePost(db, actor, { postId: input.postId, reason: input.reason, resolveReports: input.resolveReports === 'yes' });
    if (!result.ok) fail(result);
    const resolved = result.reportsResolved === 0 ? '' : result.reportsResolved === 1 ? ' Its report is resolved.' : ` Its ${result.reportsResolved} reports are resolved.`;
    return { postId: result.post.id, threadId: result.post.threadId, message: `Post ${result.post.postNumber} is hidden from members.${resolved}` };
  }),

  restorePost: moderatorAction('restorePost', 'restorePost', async (db, actor, form) => {
    const result = await restorePost(db, actor, parseForm(postForm, form));
    if (!result.ok) fail(result);
    return { postId: result.post.id, threadId: result.post.threadId, message: `Post ${result.post.postNumber} is restored: members see it again.` };
  }),

  resolveReport: moderatorAction('resolveReport', 'resolveReport', async (db, actor, form) => {
    const result = await resolveReport(db, actor, { ...parseForm(reportForm, form), resolution: 'resolved' });
    if (!result.ok) fail(result);
    return { reportId: result.reportId, message: 'The report is resolved.' };
  }),

  dismissReport: moderatorAction('dismissReport', 'dismissReport', async (db, actor, form) => {
    const result = await resolveReport(db, actor, { ...parseForm(reportForm, form), resolution: 'dismissed' });
    if (!result.ok) fail(result);
    return { reportId: result.reportId, message: 'The report is dismissed.' };
  }),
};
