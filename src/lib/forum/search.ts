/**
 * Forum search over SQLite FTS5 (the `posts_fts` table of db/migrations/0002: one row per
 * post, rowid = posts.id, columns title and body, kept in step by triggers).
 *
 * - A member's words never reach MATCH as they were typed: `parseSearchQuery` turns them
 *   into quoted FTS5 strings (and "phrases" and prefix*), so no input can be a syntax
 *   error, an operator or a column filter.
 * - Ranking: bm25 with the title weighted 10 to the body's 1, newest first on a tie. One
 *   result per thread: its best post (one whose own text matches before one that matches
 *   only through the thread's title, which every post of a thread carries; then the
 *   better score; then the earlier post, so a title-only match shows the opening post).
 * - At most CANDIDATE_LIMIT matching posts, the most recent, are ranked (see there).
 * - Only categories the member can see (canSeeCategory) are searched; deleted posts
 *   never; hidden posts and threads only by moderators, who see them marked.
 * - Snippets come from FTS5 snippet()/highlight() with private-use marker characters; the
 *   text is HTML-escaped and only then are the markers turned into <mark>.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { categories, type Category } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import { likePattern } from '#lib/admin/common.ts';
import { escapeHtml } from '#lib/html.ts';
import { pageNumber } from '#lib/params.ts';
import type { ForumActor } from './access.ts';
import { canModerate, canSeeCategory } from './permissions.ts';
import { postLocation } from './urls.ts';

export const SEARCH_PAGE_SIZE = 20;
/** Longer input is cut here before it is read (a pasted page must not become a huge query). */
export const MAX_QUERY_CHARS = 500;
/** At most this many words or phrases are searched; the rest are left out, and the page says so. */
export const MAX_TERMS = 12;
/** A prefix search (`refer*`) needs this many letters, so `a*` cannot match half the index. */
export const MIN_PREFIX_CHARS = 3;
/** The deepest page offered, so an address cannot ask SQLite to skip millions of rows. */
export const MAX_SEARCH_PAGE = 50;
/**
 * At most this many matching posts are ranked: the most recent ones (highest ids). Ranking
 * costs time for every matching post, and SQLite's work holds the server's event loop, so
 * a word found in a third of all posts would stall every other request (bench/forum.ts:
 * 0.3 s a search at 400,000 posts). Below the limit, results are exact; above it, the page
 * says the search was narrowed to the most recent matches.
 */
export const CANDIDATE_LIMIT = 10_000;
/** bm25 column weights: title, body. */
const TITLE_WEIGHT = 10;
const BODY_WEIGHT = 1;
/** Words in a snippet (FTS5 allows up to 64). */
const SNIPPET_TOKENS = 24;

// Private-use characters mark the matches in FTS5's output. A post may contain them too;
// markedToHtml copes with that.
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';

// ─── The member's words → an FTS5 query ───────────────────────────────────────

export interface SearchTerm {
  /** The words of the term; more than one makes a phrase (words next to each other). */
  words: string[];
  /** A prefix search: the last word may go on (`refer*` finds referral, referred…). */
  prefix: boolean;
}

export interface ParsedQuery {
  /** The FTS5 MATCH expression, or null when there is nothing to search for. */
  match: string | null;
  terms: SearchTerm[];
  /** True when the input was cut (too long, or more than MAX_TERMS words). */
  truncated: boolean;
}

/** Letters, digits and combining marks: what FTS5's unicode61 tokenizer keeps as word characters. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** A "quoted phrase", or a run of anything else up to a space or a quote. */
const CHUNK = /"([^"]*)"|([^\s"]+)/gu;

/**
 * Reads what a member typed into a safe FTS5 query. Every term becomes a double-quoted
 * string of plain words, which FTS5 reads as text, never as an operator (AND, OR, NOT,
 * NEAR), a column filter (`title:`), an initial-token anchor (`^`) or a group. A word
 * joined by punctuation (`multi-agency`, `col:x`) becomes a phrase of its parts, which is
 * how the tokenizer split the indexed text too. Quotes that do not pair up are ignored.
 * Terms are ANDed (FTS5's implicit operator).
 */
export function parseSearchQuery(input: string): ParsedQuery {
  const characters = Array.from(
    input
      .normalize('NFKC')
      // Control characters (NUL included) are never search text.
      .replace(/[\u0000-\u001f\u007f]/g, ' '),
  );
  let truncated = characters.length > MAX_QUERY_CHARS;
  const text = characters.slice(0, MAX_QUERY_CHARS).join('');

  const terms: SearchTerm[] = [];
  const seen = new Set<string>();
  for (const [, phrase, bare] of text.matchAll(CHUNK)) {
    const chunk = phrase ?? bare ?? '';
    const words = chunk.match(WORD);
    if (!words) continue;
    const last = words[words.length - 1]!;
    const prefix = phrase === undefined && chunk.endsWith('*') && Array.from(last).length >= MIN_PREFIX_CHARS;
    const key = `${words.join(' ').toLowerCase()}${prefix ? '*' : ''}`;
    if (seen.has(key)) continue;
    if (terms.length === MAX_TERMS) {
      truncated = true;
      break;
    }
    seen.add(key);
    terms.push({ words, prefix });
  }
  if (terms.length === 0) return { match: null, terms, truncated };
  // Words hold no quote characters (WORD excludes them), so the quoting cannot be broken.
  const match = terms.map((t) => `"${t.words.join(' ')}"${t.prefix ? ' *' : ''}`).join(' ');
  return { match, terms, truncated };
}

/** The terms as the member would write them again, e.g. `referral "safe house" refer*`. */
export function describeTerms(terms: SearchTerm[]): string {
  return terms.map((t) => (t.words.length > 1 ? `"${t.words.join(' ')}"` : t.words[0]!) + (t.prefix ? '*' : '')).join(' ');
}

// ─── Snippets ─────────────────────────────────────────────────────────────────

/**
 * FTS5 output with markers → HTML: everything escaped, then each marked span wrapped in
 * <mark>. A post may itself contain the marker characters, so the tags are balanced
 * here (a stray close is dropped, an open one closed) rather than trusted.
 */
export function markedToHtml(marked: string): string {
  let html = '';
  let open = false;
  for (const part of marked.split(/([\uE000\uE001])/)) {
    if (part === MARK_OPEN) {
      if (!open) html += '<mark>';
      open = true;
    } else if (part === MARK_CLOSE) {
      if (open) html += '</mark>';
      open = false;
    } else {
      html += escapeHtml(part);
    }
  }
  return open ? `${html}</mark>` : html;
}

/** Markdown's emphasis and code characters read as noise in a one-line snippet. */
function plainSnippet(marked: string): string {
  return marked
    .replace(/\*{1,3}|`+|~~|^#+\s*/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

// ─── Filters from the address ────────────────────────────────────────────────

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date like 2026-03-31')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'Enter a real date, like 2026-03-31');

export interface SearchRequest {
  /** What the member typed (kept to show it back). */
  q: string;
  /** A category slug. */
  category?: string;
  /** Part of the author's name. */
  author?: string;
  /** First and last day (UTC, inclusive) the post was written. */
  from?: string;
  to?: string;
  page: number;
}

/**
 * Reads a search from the query string. A bad filter is dropped with a message for its
 * field, so the search still runs with the others; the category is checked against the
 * member's visible categories in `searchForum`.
 */
export function readSearchRequest(params: URLSearchParams): { request: SearchRequest; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const text = (key: string, max: number) => params.get(key)?.slice(0, max).trim() || undefined;
  const request: SearchRequest = { q: (params.get('q') ?? '').slice(0, 10 * MAX_QUERY_CHARS), page: 1 };
  const category = text('category', 100);
  if (category) {
    if (/^[a-z0-9-]+$/.test(category)) request.category = category;
    else errors.category = 'Choose a category from the list';
  }
  request.author = text('author', 80);
  for (const key of ['from', 'to'] as const) {
    const raw = text(key, 20);
    if (!raw) continue;
    const parsed = isoDate.safeParse(raw);
    if (parsed.success) request[key] = parsed.data;
    else errors[key] = parsed.error.issues[0]!.message;
  }
  if (request.from && request.to && request.to < request.from) {
    errors.to = 'The end date must be the same as or later than the start date';
    delete request.to;
  }
  request.page = Math.min(pageNumber(params.get('page')), MAX_SEARCH_PAGE);
  return { request, errors };
}

// ─── The search ──────────────────────────────────────────────────────────────

export interface SearchHit {
  postId: number;
  postNumber: number;
  threadId: number;
  threadSlug: string;
  /** The thread's title with matches in <mark>, escaped. */
  titleHtml: string;
  /** A passage of the post with matches in <mark>, escaped. */
  snippetHtml: string;
  categoryName: string;
  categorySlug: string;
  authorName: string | null;
  createdAt: Date;
  /** Where the post is: /forum/t/<id>/<slug>?page=N#post-<number>. */
  href: string;
  /** Only ever true for moderators: the post or its thread is hidden from members. */
  postHidden: boolean;
  threadHidden: boolean;
}

export type SearchOutcome =
  /** Nothing typed: show the form only. */
  | { status: 'no-query'; categories: Category[]; errors: Record<string, string> }
  /** Something typed, but no word in it (only punctuation, symbols, emoji…). */
  | { status: 'no-words'; categories: Category[]; errors: Record<string, string> }
  /** FTS5 refused the query anyway: logged, and the member gets a plain message. */
  | { status: 'failed'; categories: Category[]; errors: Record<string, string> }
  | {
      status: 'done';
      categories: Category[];
      errors: Record<string, string>;
      hits: SearchHit[];
      /** Threads matched (one result per thread). */
      total: number;
      page: number;
      pages: number;
      /** What was searched for, as words. */
      searched: string;
      truncated: boolean;
      /** More posts matched than CANDIDATE_LIMIT: only the most recent were ranked, and `total` is a lower bound. */
      capped: boolean;
    };

/** The categories this member can see, in the forum's order. */
export async function visibleCategories(db: Queryable, actor: ForumActor): Promise<Category[]> {
  const all = await db.select().from(categories).orderBy(categories.position, categories.name).all();
  return all.filter((c) => canSeeCategory(actor, c));
}

interface RankedRow {
  candidates: number;
  post_id: number;
  thread_id: number;
  post_number: number;
  created_at: number;
  post_hidden: number;
  thread_hidden: number;
  total: number;
}

interface DetailRow {
  post_id: number;
  title_marked: string;
  body_marked: string;
  slug: string;
  category_name: string;
  category_slug: string;
  author_name: string | null;
}

const idList = (ids: number[]) => sql.join(ids.map((id) => sql`${id}`), sql`, `);

/**
 * Searches the posts this member may read. Returns one page of results (20), one per
 * thread, best first; see the top of this file for the rules.
 */
export async function searchForum(
  db: Queryable,
  actor: ForumActor,
  request: SearchRequest,
  options: { errors?: Record<string, string>; candidateLimit?: number } = {},
): Promise<SearchOutcome> {
  const errors = { ...options.errors };
  const candidateLimit = options.candidateLimit ?? CANDIDATE_LIMIT;
  const visible = await visibleCategories(db, actor);
  let categoryIds = visible.map((c) => c.id);
  if (request.category) {
    const chosen = visible.find((c) => c.slug === request.category);
    // A restricted category is answered exactly like one that does not exist.
    if (chosen) categoryIds = [chosen.id];
    else errors.category = 'Choose a category from the list';
  }
  if (!request.q.trim()) return { status: 'no-query', categories: visible, errors };
  const parsed = parseSearchQuery(request.q);
  if (!parsed.match) return { status: 'no-words', categories: visible, errors };

  const base = { categories: visible, errors, searched: describeTerms(parsed.terms), truncated: parsed.truncated, page: request.page };
  if (categoryIds.length === 0) return { status: 'done', ...base, hits: [], total: 0, pages: 1, capped: false };

  const where: SQL[] = [sql`posts_fts MATCH ${parsed.match}`, sql`t.category_id IN (${idList(categoryIds)})`, sql`p.deleted_at IS NULL`];
  if (!canModerate(actor)) where.push(sql`p.hidden_at IS NULL`, sql`t.hidden_at IS NULL`);
  if (request.author) where.push(sql`u.display_name LIKE ${likePattern(request.author)} ESCAPE '\\'`);
  if (request.from) where.push(sql`p.created_at >= ${Date.parse(`${request.from}T00:00:00Z`)}`);
  if (request.to) where.push(sql`p.created_at < ${Date.parse(`${request.to}T00:00:00Z`) + 86_400_000}`);

  try {
    // FTS5 hands over matches in rowid order and stops at the LIMIT, so the candidates cost
    // what they number, not what the whole index holds. One more than the limit tells
    // whether there were more.
    const ranked = await db.all<RankedRow>(sql`
      WITH hits AS MATERIALIZED (
        SELECT p.id AS post_id, p.thread_id, p.post_number, p.created_at,
               p.hidden_at IS NOT NULL AS post_hidden, t.hidden_at IS NOT NULL AS thread_hidden,
               bm25(posts_fts, ${TITLE_WEIGHT}, ${BODY_WEIGHT}) AS score,
               bm25(posts_fts, 0.0, 1.0) < 0 AS body_matches
        FROM posts_fts
        JOIN posts p ON p.id = posts_fts.rowid
        JOIN threads t ON t.id = p.thread_id
        ${request.author ? sql`JOIN users u ON u.id = p.author_id` : sql``}
        WHERE ${sql.join(where, sql` AND `)}
        ORDER BY posts_fts.rowid DESC
        LIMIT ${candidateLimit + 1}
      ),
      -- Columns named, not *: a statement with * is compiled anew each time (statement-cache.ts).
      candidates AS (
        SELECT post_id, thread_id, post_number, created_at, post_hidden, thread_hidden, score, body_matches
        FROM hits ORDER BY post_id DESC LIMIT ${candidateLimit}
      ),
      best AS (
        SELECT post_id, thread_id, post_number, created_at, post_hidden, thread_hidden, score,
               row_number() OVER (PARTITION BY thread_id ORDER BY body_matches DESC, score, post_number) AS nth
        FROM candidates
      )
      SELECT (SELECT count(*) FROM hits) AS candidates, post_id, thread_id, post_number, created_at, post_hidden, thread_hidden, count(*) OVER () AS total
      FROM best WHERE nth = 1
      ORDER BY score, created_at DESC, post_id DESC
      LIMIT ${SEARCH_PAGE_SIZE} OFFSET ${(request.page - 1) * SEARCH_PAGE_SIZE}`);

    let total = Number(ranked[0]?.total ?? 0);
    let capped = Number(ranked[0]?.candidates ?? 0) > candidateLimit;
    if (ranked.length === 0 && request.page > 1) {
      // Past the last page: count once, so the page can say how many there are.
      const again = await searchForum(db, actor, { ...request, page: 1 }, options);
      if (again.status === 'done') ({ total, capped } = again);
    }
    const hits = ranked.length === 0 ? [] : await hitDetails(db, parsed.match, ranked);
    return { status: 'done', ...base, hits, total, capped, pages: Math.max(1, Math.ceil(total / SEARCH_PAGE_SIZE)) };
  } catch (error) {
    // parseSearchQuery makes a syntax error impossible; anything else is logged and the
    // member gets a plain message, never an error page. Drizzle's message carries the
    // query's parameters (the member's words), so only the driver's code is logged.
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? 'unknown';
    console.error(`Forum search failed (${code}) for a query of ${parsed.terms.length} terms`);
    return { status: 'failed', categories: visible, errors };
  }
}

/** Titles, snippets and names for one page of results, in the ranked order. */
async function hitDetails(db: Queryable, match: string, ranked: RankedRow[]): Promise<SearchHit[]> {
  const details = await db.all<DetailRow>(sql`
    SELECT f.rowid AS post_id,
           highlight(posts_fts, 0, ${MARK_OPEN}, ${MARK_CLOSE}) AS title_marked,
           snippet(posts_fts, 1, ${MARK_OPEN}, ${MARK_CLOSE}, '…', ${SNIPPET_TOKENS}) AS body_marked,
           t.slug, c.name AS category_name, c.slug AS category_slug, u.display_name AS author_name
    FROM posts_fts f
    JOIN posts p ON p.id = f.rowid
    JOIN threads t ON t.id = p.thread_id
    JOIN categories c ON c.id = t.category_id
    LEFT JOIN users u ON u.id = p.author_id
    WHERE posts_fts MATCH ${match} AND f.rowid IN (${idList(ranked.map((r) => Number(r.post_id)))})`);
  const byId = new Map(details.map((d) => [Number(d.post_id), d]));
  return ranked.flatMap((r) => {
    const d = byId.get(Number(r.post_id));
    if (!d) return [];
    const postNumber = Number(r.post_number);
    const threadId = Number(r.thread_id);
    return [
      {
        postId: Number(r.post_id),
        postNumber,
        threadId,
        threadSlug: d.slug,
        titleHtml: markedToHtml(d.title_marked),
        snippetHtml: markedToHtml(plainSnippet(d.body_marked)),
        categoryName: d.category_name,
        categorySlug: d.category_slug,
        authorName: d.author_name,
        createdAt: new Date(Number(r.created_at)),
        href: postLocation({ id: threadId, slug: d.slug }, postNumber),
        postHidden: Boolean(Number(r.post_hidden)),
        threadHidden: Boolean(Number(r.thread_hidden)),
      },
    ];
  });
}
