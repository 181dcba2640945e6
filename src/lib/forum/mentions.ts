/**
 * @mentions by display name.
 *
 * The rule: a mention is `@` followed by a member's display name exactly as it is
 * spelled, except that A–Z and a–z count as the same letter. Display names may hold
 * spaces, so after each `@` the LONGEST display name of any member that the text starts
 * with wins, and the name must end at a word boundary (the next character is not a
 * letter, digit or underscore): with members "Sam" and "Sam Member", "@Sam Member hi"
 * mentions Sam Member and "@Sam, hi" mentions Sam; "@Samuel" mentions neither.
 * Names are matched against every member, then only members who can see the category
 * are notified: a mention meant for an outsider never falls back to a shorter insider's
 * name, and notifies nobody. Two members with the same name are both mentioned.
 *
 * Not mentions: an `@` inside a word or address (name@example.org, example.org/@x),
 * `\@`, and anything in code (`inline` or fenced) or in a quoted line (`> …`), which
 * repeats someone else's words. At most MENTIONS_PER_POST_MAX `@`s a post are read.
 */
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { organisations, users, type Category, type OrganisationType, type Role, type User } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import { DISPLAY_NAME_MAX } from '#lib/auth/account.ts';
import type { ForumActor } from './access.ts';
import { canSeeCategorySql } from './permissions.ts';

export const MENTIONS_PER_POST_MAX = 10;
export const MENTION_SUGGESTIONS_MAX = 8;

/** Folds case the way SQLite's lower() does (A–Z only), so SQL and JS agree. */
export function foldName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The post with code and quoted lines blanked out: mentions there do not count. */
export function mentionableText(raw: string): string {
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  let fence: string | null = null;
  const kept = lines.map((line) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (opener && opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener) fence = null;
      return '';
    }
    if (opener) {
      fence = opener;
      return '';
    }
    if (/^ {0,3}>/.test(line)) return '';
    return line.replace(/(`+)[^`]*?\1/g, ' ');
  });
  return kept.join('\n');
}

const MENTION_START = /(?<![\p{L}\p{N}_.@\\/+-])@/gu;
const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/**
 * For each `@` that can start a mention, the text after it on the same line, long
 * enough to hold any display name plus the character after it. Distinct, at most
 * MENTIONS_PER_POST_MAX.
 */
export function mentionSnippets(raw: string): string[] {
  const text = mentionableText(raw);
  const snippets = new Set<string>();
  for (const match of text.matchAll(MENTION_START)) {
    const rest = text.slice(match.index + 1, match.index + 2 + DISPLAY_NAME_MAX).split('\n')[0]!;
    if (rest && WORD_CHARACTER.test(rest[0]!)) snippets.add(rest.normalize('NFC'));
    if (snippets.size >= MENTIONS_PER_POST_MAX) break;
  }
  return [...snippets];
}

/** Whether `snippet` starts with `name` (folded) and the name ends at a word boundary. */
function startsWithName(snippet: string, name: string): boolean {
  const folded = foldName(name.normalize('NFC'));
  if (!folded || !foldName(snippet).startsWith(folded)) return false;
  const next = snippet[folded.length];
  return next === undefined || !WORD_CHARACTER.test(next);
}

/**
 * The names the snippets mention, each the longest candidate its snippet starts with;
 * returned folded, so every member spelled that way is found.
 */
export function pickMentionedNames(snippets: readonly string[], candidates: readonly string[]): Set<string> {
  const picked = new Set<string>();
  for (const snippet of snippets) {
    let best = '';
    for (const name of candidates) {
      if (name.length > best.length && startsWithName(snippet, name)) best = name;
    }
    if (best) picked.add(foldName(best.normalize('NFC')));
  }
  return picked;
}

export interface MentionedMember {
  id: number;
  displayName: string;
  role: Role;
  organisationType: OrganisationType;
  status: User['status'];
}

/**
 * Every member the post mentions, by the rule above: who can see the category is for
 * the caller to decide. One query, over the members whose name some snippet starts with.
 */
export async function findMentionedMembers(db: Queryable, raw: string): Promise<MentionedMember[]> {
  const snippets = mentionSnippets(raw);
  if (snippets.length === 0) return [];
  const startsAny = sql.join(
    snippets.map((snippet) => sql`substr(lower(${snippet}), 1, length(${users.displayName})) = lower(${users.displayName})`),
    sql` or `,
  );
  const candidates = await db
    .select({ id: users.id, displayName: users.displayName, role: users.role, organisationType: organisations.type, status: users.status })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(sql`(${startsAny})`)
    .all();
  const names = pickMentionedNames(
    snippets,
    candidates.map((c) => c.displayName),
  );
  return candidates.filter((c) => names.has(foldName(c.displayName.normalize('NFC'))));
}

/** `%`, `_` and the escape itself taken literally in a LIKE pattern. */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The composer's autocomplete: up to 8 active members, other than the one typing, who
 * can see `category` and whose display name starts with `prefix` (A–Z case-insensitive),
 * in name order. The caller checks that the member typing can see the category.
 */
export async function suggestMentionNames(
  db: Queryable,
  actor: Pick<ForumActor, 'id'>,
  category: Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'>,
  prefix: string,
): Promise<{ displayName: string }[]> {
  return db
    .select({ displayName: users.displayName })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        eq(users.status, 'active'),
        ne(users.id, actor.id),
        sql`${users.displayName} like ${likePrefix(prefix)} escape '\\'`,
        canSeeCategorySql({ role: users.role, organisationType: organisations.type }, category),
      ),
    )
    .orderBy(asc(sql`lower(${users.displayName})`), asc(users.id))
    .limit(MENTION_SUGGESTIONS_MAX)
    .all();
}
