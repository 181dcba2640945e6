/**
 * "Discuss this guide": each practice guide has at most one thread, in the "Practice
 * guides" category, found by its guide key (`guides/<id>`, unique in the threads
 * table). Opening the discussion finds that thread or starts it; starting it twice at
 * once still leaves one thread (the unique key decides, the loser opens the winner's).
 *
 * This module knows nothing of Astro's content collections: callers pass the guide's
 * title, summary and address (see guide-entries.ts for the pages' side).
 */
import { and, eq, isNull } from 'drizzle-orm';
import { categories, threads, type Category, type Thread } from '#db/schema.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import type { Result } from '#lib/result.ts';
import { notFound, type ForumActor } from './access.ts';
import { TITLE_MAX } from './limits.ts';
import { createThread } from './posting.ts';
import { findVisibleThread } from './threads.ts';

export const GUIDES_CATEGORY = {
  slug: 'practice-guides',
  name: 'Practice guides',
  description: 'One thread for each practice guide: how members have used it, questions, and changes to suggest. Start one from the guide’s page.',
} as const;

export interface GuideRef {
  /** `guides/<id>`: see guideKey(). */
  key: string;
  title: string;
  summary: string;
  /** Where members read it: /guides/<id> or /members/guides/<id>. */
  url: string;
}

/** The key that ties a guide to its thread. */
export function guideKey(id: string): string {
  return `guides/${id}`;
}

/** A well-formed guide key (the id part as Astro's glob loader makes ids), or null. */
export function parseGuideKey(value: string | null | undefined): { key: string; id: string } | null {
  const match = /^guides\/([a-z0-9][a-z0-9-]{0,150})$/.exec(value ?? '');
  return match ? { key: value!, id: match[1]! } : null;
}

/** The "Practice guides" category, created (open to all members) if the database has none. */
export async function ensureGuidesCategory(db: Database): Promise<Category> {
  const existing = await db.select().from(categories).where(eq(categories.slug, GUIDES_CATEGORY.slug)).get();
  if (existing) return existing;
  return write(db, async (tx) => {
    await tx.insert(categories).values({ ...GUIDES_CATEGORY, position: 100 }).onConflictDoNothing();
    return (await tx.select().from(categories).where(eq(categories.slug, GUIDES_CATEGORY.slug)).get())!;
  });
}

/** The guide's thread if it has one and this member may see it. */
export async function findGuideThread(db: Queryable, actor: ForumActor, key: string): Promise<Thread | null> {
  const row = await db.select({ id: threads.id }).from(threads).where(eq(threads.guideKey, key)).get();
  if (!row) return null;
  return (await findVisibleThread(db, actor, row.id))?.thread ?? null;
}

/** Replies in the guide's discussion (0 when there is none yet), for the guide's page. */
export async function guideReplyCount(db: Queryable, key: string): Promise<{ threadId: number; replies: number } | null> {
  const row = await db
    .select({ threadId: threads.id, replies: threads.replyCount })
    .from(threads)
    .where(and(eq(threads.guideKey, key), isNull(threads.hiddenAt)))
    .get();
  return row ?? null;
}

function openingPost(guide: GuideRef): string {
  const summary = guide.summary.replace(/\s+/g, ' ').trim();
  return [
    `This thread discusses the practice guide [${guide.title.replace(/([\\[\]])/g, '\\$1')}](${guide.url}).`,
    `> ${summary}`,
    'Share how you have used the guide, ask questions about it, and suggest changes for its next review.',
  ].join('\n\n');
}

export type GuideThreadResult = Result<{ thread: Thread; created: boolean }>;

/** Opens the guide's discussion, starting it (as this member) if there is none. Never makes two. */
export async function openOrCreateGuideThread(db: Database, actor: ForumActor, guide: GuideRef, now = new Date()): Promise<GuideThreadResult> {
  const existing = await db.select({ id: threads.id }).from(threads).where(eq(threads.guideKey, guide.key)).get();
  if (existing) {
    const visible = await findVisibleThread(db, actor, existing.id);
    return visible ? { ok: true, thread: visible.thread, created: false } : notFound;
  }
  const category = await ensureGuidesCategory(db);
  const title = guide.title.length > TITLE_MAX ? `${guide.title.slice(0, TITLE_MAX - 1)}…` : guide.title;
  try {
    const result = await createThread(db, actor, { categoryId: category.id, title, body: openingPost(guide), guideKey: guide.key }, now);
    if (!result.ok) return result;
    return { ok: true, thread: result.thread, created: true };
  } catch (error) {
    // Someone else started it between our look-up and our insert: open theirs.
    const raced = await db.select({ id: threads.id }).from(threads).where(eq(threads.guideKey, guide.key)).get();
    if (!raced) throw error;
    const visible = await findVisibleThread(db, actor, raced.id);
    return visible ? { ok: true, thread: visible.thread, created: false } : notFound;
  }
}
