/**
 * The library side of "Discuss this guide": a guide key → the guide's title, summary and
 * address, from Astro's content collections (so only pages and actions import this).
 * A members-only guide is found too: only members ever reach the forum.
 */
import { getPublicEntries } from '#lib/content/library.ts';
import { getMembersEntry } from '#lib/content/members.ts';
import { entryUrl } from '#lib/content/urls.ts';
import { parseGuideKey, type GuideRef } from './guide-threads.ts';

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
