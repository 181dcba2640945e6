/**
 * Moderators' forms: pin, lock, move, hide and restore threads; hide and restore posts;
 * resolve and dismiss reports. Each handler checks that the caller is a signed-in
 * moderator (editors and administrators count) BEFORE it reads the form; a refusal is
 * audited (src/actions/define.ts). Then the form is validated with zod and src/lib/forum/moderation.ts does the
 * work, audited in the same transaction. The forms sit on the thread page
 * (ThreadModeration, PostModeration) and on /moderation.
 */
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'zod';
import { forumActorOf } from '#lib/forum/access.ts';
import {
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
import { idField } from '#lib/params.ts';
import { memberAction, type Caller } from './define.ts';
import { parseForm, refusalError } from './errors.ts';

const id = (what: string) => idField(`Unknown ${what}`);
const chosen = (what: string) => idField(`Choose ${what}`);
const threadForm = z.object({ threadId: id('thread') });
const postForm = z.object({ postId: id('post') });
const reportForm = z.object({ reportId: id('report') });

/**
 * A moderator's form action: moderators, editors and administrators only (a refusal at
 * the door is audited under the action's own name), then the form, then the work.
 */
function moderatorAction<T>(name: keyof typeof moderationAuditActions, run: (db: Caller['db'], actor: ModerationActor, form: FormData, context: ActionAPIContext) => Promise<T>) {
  const door = { role: 'moderator' as const, audit: { action: moderationAuditActions[name], target: `moderation.${name}`, forbidden: 'not-a-moderator' } };
  return memberAction(door, ({ db, user, ip }, form, context) => run(db, { ...forumActorOf(user), ip }, form, context));
}

export const moderation = {
  pin: moderatorAction('pin', async (db, actor, form, context) => {
    const result = await setPinned(db, actor, { ...parseForm(threadForm, form), pinned: true });
    if (!result.ok) throw refusalError(context, result);
    return { threadId: result.thread.id, message: 'The thread is pinned to the top of its category.' };
  }),

  unpin: moderatorAction('unpin', async (db, actor, form, context) => {
    const result = await setPinned(db, actor, { ...parseForm(threadForm, form), pinned: false });
    if (!result.ok) throw refusalError(context, result);
    return { threadId: result.thread.id, message: 'The thread is no longer pinned.' };
  }),

  lock: moderatorAction('lock', async (db, actor, form, context) => {
    const result = await setLocked(db, actor, { ...parseForm(threadForm, form), locked: true });
    if (!result.ok) throw refusalError(context, result);
    return { threadId: result.thread.id, message: 'The thread is locked: members can no longer reply.' };
  }),

  unlock: moderatorAction('unlock', async (db, actor, form, context) => {
    const result = await setLocked(db, actor, { ...parseForm(threadForm, form), locked: false });
    if (!result.ok) throw refusalError(context, result);
    return { threadId: result.thread.id, message: 'The thread is unlocked: members can reply again.' };
  }),

  move: moderatorAction('move', async (db, actor, form, context) => {
    const result = await moveThread(db, actor, parseForm(threadForm.extend({ categoryId: chosen('a category to move it to') }), form));
    if (!result.ok) throw refusalError(context, result);
    return { threadId: result.thread.id, message: 'The thread is moved. Members who cannot see its new category no longer see it.' };
  }),

  hideThread: moderatorAction('hideThread', async (db, actor, form, context) => {
    const result = await hideThread(db, actor, parseForm(threadForm.extend({ reason: reasonSchema }), form));
    if (!result.ok) throw refusalError(context, result);
    return { threadId: result.thread.id, message: 'The thread is hidden from members. Moderators still see it, marked.' };
  }),

  restoreThread: moderatorAction('restoreThread', async (db, actor, form, context) => {
    const result = await restoreThread(db, actor, parseForm(threadForm, form));
    if (!result.ok) throw refusalError(context, result);
    return { threadId: result.thread.id, message: 'The thread is restored: members see it again.' };
  }),

  hidePost: moderatorAction('hidePost', async (db, actor, form, context) => {
    const input = parseForm(postForm.extend({ reason: reasonSchema, resolveReports: z.literal('yes').optional() }), form);
    const result = await hidePost(db, actor, { postId: input.postId, reason: input.reason, resolveReports: input.resolveReports === 'yes' });
    if (!result.ok) throw refusalError(context, result);
    const resolved = result.reportsResolved === 0 ? '' : result.reportsResolved === 1 ? ' Its report is resolved.' : ` Its ${result.reportsResolved} reports are resolved.`;
    return { postId: result.post.id, threadId: result.post.threadId, message: `Post ${result.post.postNumber} is hidden from members.${resolved}` };
  }),

  restorePost: moderatorAction('restorePost', async (db, actor, form, context) => {
    const result = await restorePost(db, actor, parseForm(postForm, form));
    if (!result.ok) throw refusalError(context, result);
    return { postId: result.post.id, threadId: result.post.threadId, message: `Post ${result.post.postNumber} is restored: members see it again.` };
  }),

  resolveReport: moderatorAction('resolveReport', async (db, actor, form, context) => {
    const result = await resolveReport(db, actor, { ...parseForm(reportForm, form), resolution: 'resolved' });
    if (!result.ok) throw refusalError(context, result);
    return { reportId: result.reportId, message: 'The report is resolved.' };
  }),

  dismissReport: moderatorAction('dismissReport', async (db, actor, form, context) => {
    const result = await resolveReport(db, actor, { ...parseForm(reportForm, form), resolution: 'dismissed' });
    if (!result.ok) throw refusalError(context, result);
    return { reportId: result.reportId, message: 'The report is dismissed.' };
  }),
};
