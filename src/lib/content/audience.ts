import type { EntryData } from './schemas.ts';

export interface PublishContext {
  /** The moment of the build (or request); entries dated after it are held back. */
  now: Date;
  /** Production builds leave out drafts and future entries; `astro dev` shows them. */
  production: boolean;
}

/** Whether an entry is released at all: not a draft and not dated in the future. */
export function isReleased(data: Pick<EntryData, 'draft' | 'published'>, ctx: PublishContext): boolean {
  if (!ctx.production) return true;
  return !data.draft && data.published.getTime() <= ctx.now.getTime();
}

/**
 * The audience rule: only `public` entries may be prerendered, listed to anonymous
 * visitors or indexed in the public search. `members` entries are never written to
 * dist/client.
 */
export function isPublic(data: Pick<EntryData, 'audience'>): boolean {
  return data.audience === 'public';
}

/** Released and public: what the public site builds, lists and indexes. */
export function isPublishedPublicly(data: Pick<EntryData, 'draft' | 'published' | 'audience'>, ctx: PublishContext): boolean {
  return isReleased(data, ctx) && isPublic(data);
}

/** The other side of the audience rule: `members` entries are only ever served to signed-in members. */
export function isMembersOnly(data: Pick<EntryData, 'audience'>): boolean {
  return data.audience === 'members';
}

/**
 * Released and members-only: what the members' area renders on demand, lists to
 * signed-in members and indexes in the members' search (written outside dist/client).
 */
export function isPublishedToMembers(data: Pick<EntryData, 'draft' | 'published' | 'audience'>, ctx: PublishContext): boolean {
  return isReleased(data, ctx) && isMembersOnly(data);
}
