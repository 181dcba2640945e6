/**
 * The members' forum forms: start a thread, reply, edit, delete and report a post, and
 * open a guide's discussion. Each handler checks the caller is a signed-in member
 * (requireActor) before it reads the form, validates the form with zod, and calls
 * src/lib/forum, which checks access to the category, thread or post (refusals are
 * audited) and runs the safeguarding check. A refusal comes back to the page that sent
 * the form, which shows the message and puts the member's text back.
 */
import { ActionError, defineAction, type ActionAPIContext } from 'astro:actions';
import { z } from 'zod';
import { getDb, type Database } from '#lib/db.ts';
import { requireActor } from '#lib/auth/guards.ts';
import { forumActor, type ForumActor, type Refusal } from '#lib/forum/access.ts';
import { bodySchema, titleSchema } from '#lib/forum/limits.ts';
import { deletePost } from '#lib/forum/post-edits.ts';
import { postReply, saveEdit, startThread, type SafeguardingHold } from '#lib/forum/posting.ts';
import { reportPost, reportReasonSchema } from '#lib/forum/reports.ts';
import { findGuide } from '#lib/forum/guide-entries.ts';
import { openOrCreateGuideThread } from '#lib/forum/guide-threads.ts';
import { auditRefusal } from '#lib/forum/refusals.ts';
import { postLocation, threadPath } from '#lib/forum/urls.ts';
import { fieldError, parseForm } from './errors.ts';

interface Caller {
  db: Database;
  actor: ForumActor;
  ip: string;
}

/** Turns a refusal from src/lib/forum into the error the page shows (and its status). */
function fail(context: ActionAPIContext, refusal: Refusal | SafeguardingHold): never {
  switch (refusal.reason) {
    case 'safeguarding':
      throw fieldError('body', refusal.message);
    case 'invalid':
      if (refusal.field) throw fieldError(refusal.field, refusal.message);
      throw new ActionError({ code: 'BAD_REQUEST', message: refusal.message });
    case 'rate-limited':
      context.locals.retryAfterSeconds = refusal.retryAfterSeconds;
      throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: refusal.message });
    case 'not-found':
      throw new ActionError({ code: 'NOT_FOUND', message: refusal.message });
    case 'forbidden':
    case 'locked':
      throw new ActionError({ code: 'FORBIDDEN', message: refusal.message });
  }
}

/** Defines a forum form action: signed-in member first, then the form, then the work. */
function forumAction<T>(run: (caller: Caller, form: FormData, context: ActionAPIContext) => Promise<T>) {
  return defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const { user } = requireActor(context);
      const db = await getDb();
      const caller = { db, actor: await forumActor(db, user.id), ip: context.clientAddress };
      return run(caller, form, context);
    },
  });
}

const id = (what: string) => z.coerce.number({ error: `Unknown ${what}` }).int(`Unknown ${what}`).positive(`Unknown ${what}`).max(Number.MAX_SAFE_INTEGER);
/** An optional whole number from a hidden field ('' means none). */
const optionalNumber = z.preprocess((v) => (v === '' || v === undefined ? undefined : v), z.coerce.number().int().positive().optional());
/** The "Post anyway" button of the safeguarding warning sends safeguarding=confirmed. */
const confirmation = z.preprocess((v) => v === 'confirmed', z.boolean());

export const forum = {
  createThread: forumAction(async ({ db, actor, ip }, form, context) => {
    const input = parseForm(z.object({ categoryId: id('category'), title: titleSchema, body: bodySchema, safeguarding: confirmation }), form);
    const result = await startThread(db, actor, { ...input, safeguardingConfirmed: input.safeguarding }, { ip });
    if (!result.ok) fail(context, result);
    return { redirect: threadPath(result.thread) };
  }),

  reply: forumAction(async ({ db, actor, ip }, form, context) => {
    const input = parseForm(z.object({ threadId: id('thread'), body: bodySchema, replyToPostNumber: optionalNumber, safeguarding: confirmation }), form);
    const result = await postReply(db, actor, { ...input, safeguardingConfirmed: input.safeguarding }, { ip });
    if (!result.ok) fail(context, result);
    return { redirect: postLocation(result.thread, result.post.postNumber) };
  }),

  editPost: forumAction(async ({ db, actor, ip }, form, context) => {
    const input = parseForm(z.object({ postId: id('post'), body: bodySchema, version: optionalNumber, safeguarding: confirmation }), form);
    const result = await saveEdit(db, actor, { postId: input.postId, body: input.body, expectedVersion: input.version, safeguardingConfirmed: input.safeguarding }, { ip });
    if (!result.ok) fail(context, result);
    return { redirect: `/forum/p/${result.post.id}` };
  }),

  deletePost: forumAction(async ({ db, actor, ip }, form, context) => {
    const input = parseForm(z.object({ postId: id('post') }), form);
    const result = await deletePost(db, actor, input, { ip });
    if (!result.ok) fail(context, result);
    return { redirect: postLocation(result.thread, result.post.postNumber) };
  }),

  reportPost: forumAction(async ({ db, actor, ip }, form, context) => {
    const input = parseForm(z.object({ postId: id('post'), reason: reportReasonSchema }), form);
    const result = await reportPost(db, actor, input, { ip });
    if (!result.ok) fail(context, result);
    return { redirect: `/forum/p/${input.postId}/report?done=${result.alreadyReported ? 'already' : 'sent'}` };
  }),

  discussGuide: forumAction(async ({ db, actor, ip }, form, context) => {
    const { guide: key } = parseForm(z.object({ guide: z.string().max(200) }), form);
    const guide = await findGuide(key);
    if (!guide) {
      const refusal: Refusal = { ok: false, reason: 'not-found', message: 'There is no guide at that address.' };
      await auditRefusal(db, actor, 'forum-guide-thread', { type: 'guide', id: key }, refusal, ip);
      fail(context, refusal);
    }
    const result = await openOrCreateGuideThread(db, actor, guide);
    if (!result.ok) fail(context, result);
    return { redirect: threadPath(result.thread) };
  }),
};
