/**
 * The library side of "Discuss this guide": a guide key → the guide's title, summary and
 * address, from Astro's content collections (so only pages and actions import this).
 * A members-only guide is found too: only members ever reach the forum.
 */
import { getPublicEntries } from '#lib/content/library.ts';
import { getMembersEntry } from '#lib/content/members.ts';
import { entryUrl } from '#lib/content/urls.ts';
import { refuse, type Result } from '#lib/result.ts';
import type { ForumActor } from './access.ts';
import { openOrCreateGuideThread, parseGuideKey, type GuideRef } from './guide-threads.ts';
import { auditRefusal, type RequestOptions } from './audit.ts';
import type { Thread } from '#db/schema.ts';

export interface GuideEntry extends GuideRef {
  membersOnly: boolean;
}

export async function findGuide(key: string | null | undefined): Promise<GuideEntry | null> {
  const parsed = parseGuideKey(key);
  if (!parsed) return null;
  const entry = (await getPublicEntries('guides')).find((e) => e.id === parsed.id) ?? (await getMembersEntry('guides', parsed.id));
  if (!entry) return null;
  return { key: parsed.key, title: entry.data.title, summary: entry.data.summary, url: entryUrl(entry), membersOnly: entry.data.audience === 'members' };
}

/** The "Discuss this guide" button: the guide's thread, started if there is none; an unknown guide is refused and audited. */
export async function openGuideDiscussion(db: Parameters<typeof openOrCreateGuideThread>[0], actor: ForumActor, key: string, options: RequestOptions = {}): Promise<Result<{ thread: Thread; created: boolean }>> {
  const guide = await findGuide(key);
  if (!guide) return auditRefusal(db, actor, 'forum-guide-thread', { type: 'guide', id: key }, refuse('not-found', 'There is no guide at that address.'), options);
  return openOrCreateGuideThread(db, actor, guide, options.now);
}
