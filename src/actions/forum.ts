/**
 * The members' forum forms: start a thread, reply, edit, delete and report a post, and
 * open a guide's discussion. Each checks the caller is a signed-in member before it
 * reads the form (memberAction), validates the form with zod, and calls src/lib/forum,
 * which checks the permission rules once (refusals audited), runs the safeguarding check
 * and writes. A refusal comes back to the page that sent the form, which shows the
 * message and puts the member's text back.
 */
import { z } from 'zod';
import { forumActorOf } from '#lib/forum/access.ts';
import { openGuideDiscussion } from '#lib/forum/guide-entries.ts';
import { bodySchema, titleSchema } from '#lib/forum/limits.ts';
import { deletePost, saveEdit } from '#lib/forum/post-edits.ts';
import { postReply, startThread } from '#lib/forum/posting.ts';
import { reportPost, reportReasonSchema } from '#lib/forum/reports.ts';
import { postLocation, threadPath } from '#lib/forum/urls.ts';
import { idField } from '#lib/params.ts';
import { memberAction } from './define.ts';
import { parseForm, refusalError } from './errors.ts';

const id = (what: string) => idField(`Unknown ${what}`);
/** An optional whole number from a hidden field ('' means none); anything else was not sent by our page. */
const stale = 'This form is out of date: reload the page and try again';
const optionalNumber = z.preprocess((v) => (v === '' || v === undefined ? undefined : v), idField(stale).optional());
/** The "Post anyway" button of the safeguarding warning sends safeguarding=confirmed. */
const confirmation = z.preprocess((v) => v === 'confirmed', z.boolean());

export const forum = {
  createThread: memberAction({}, async ({ db, user, ip }, form, context) => {
    const input = parseForm(z.object({ categoryId: id('category'), title: titleSchema, body: bodySchema, safeguarding: confirmation }), form);
    const result = await startThread(db, forumActorOf(user), { ...input, safeguardingConfirmed: input.safeguarding }, { ip });
    if (!result.ok) throw refusalError(context, result);
    return { redirect: threadPath(result.thread) };
  }),

  reply: memberAction({}, async ({ db, user, ip }, form, context) => {
    const input = parseForm(z.object({ threadId: id('thread'), body: bodySchema, replyToPostNumber: optionalNumber, safeguarding: confirmation }), form);
    const result = await postReply(db, forumActorOf(user), { ...input, safeguardingConfirmed: input.safeguarding }, { ip });
    if (!result.ok) throw refusalError(context, result);
    return { redirect: postLocation(result.thread, result.post.postNumber) };
  }),

  editPost: memberAction({}, async ({ db, user, ip }, form, context) => {
    const input = parseForm(z.object({ postId: id('post'), body: bodySchema, version: optionalNumber, safeguarding: confirmation }), form);
    const result = await saveEdit(db, forumActorOf(user), { postId: input.postId, body: input.body, expectedVersion: input.version, safeguardingConfirmed: input.safeguarding }, { ip });
    if (!result.ok) throw refusalError(context, result);
    return { redirect: `/forum/p/${result.post.id}` };
  }),

  deletePost: memberAction({}, async ({ db, user, ip }, form, context) => {
    const input = parseForm(z.object({ postId: id('post') }), form);
    const result = await deletePost(db, forumActorOf(user), input, { ip });
    if (!result.ok) throw refusalError(context, result);
    return { redirect: postLocation(result.thread, result.post.postNumber) };
  }),

  reportPost: memberAction({}, async ({ db, user, ip }, form, context) => {
    const input = parseForm(z.object({ postId: id('post'), reason: reportReasonSchema }), form);
    const result = await reportPost(db, forumActorOf(user), input, { ip });
    if (!result.ok) throw refusalError(context, result);
    return { redirect: `/forum/p/${input.postId}/report?done=${result.alreadyReported ? 'already' : 'sent'}` };
  }),

  discussGuide: memberAction({}, async ({ db, user, ip }, form, context) => {
    const { guide } = parseForm(z.object({ guide: z.string().max(200) }), form);
    const result = await openGuideDiscussion(db, forumActorOf(user), guide, { ip });
    if (!result.ok) throw refusalError(context, result);
    return { redirect: threadPath(result.thread) };
  }),
};
