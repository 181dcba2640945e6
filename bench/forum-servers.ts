/**
 * The servers bench/forum.ts measures, each in a process of its own (started by it, one
 * server per process, as `npm start` runs one), on the database in DATABASE_URL:
 *
 *   node bench/forum-servers.ts portal <dist>   the built portal, through serve() as npm start serves it
 *   node bench/forum-servers.ts minimal         the same reads (thread, category, search) with @libsql/client, the page written with template strings
 *   node bench/forum-servers.ts static <file>   a file's bytes from memory (node:http)
 *
 * Each prints one JSON line, `{"url": …}`, when it listens, and exits on SIGTERM. With
 * PROFILE_OUT set, SIGUSR2 starts V8's CPU profiler (after the warm-up, so that start-up
 * is not in it) and SIGTERM writes the profile there before exiting.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import { createClient, type Client } from '@libsql/client';
import { CANDIDATE_LIMIT, MAX_TERMS, SEARCH_PAGE_SIZE } from '#lib/forum/search.ts';

const publicOrigin = new URL('http://localhost:4321');

async function listen(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/` })}\n`);
}

const profiler = new Session();
let profiling = false;
process.on('SIGUSR2', () => {
  if (!process.env.PROFILE_OUT || profiling) return;
  profiling = true;
  profiler.connect();
  void profiler.post('Profiler.enable').then(() => profiler.post('Profiler.start'));
});
process.on('SIGTERM', async () => {
  if (profiling) writeFileSync(process.env.PROFILE_OUT!, JSON.stringify((await profiler.post('Profiler.stop')).profile));
  process.exit(0);
});

const [mode, arg] = process.argv.slice(2);
if (mode === 'portal') {
  const { getDb } = await import('#lib/db.ts');
  const { serve } = await import('#server/serve.ts');
  const { url } = await serve({ distDir: arg!, host: '127.0.0.1', port: 0, publicOrigin, db: await getDb() });
  process.stdout.write(`${JSON.stringify({ url: url.href })}\n`);
} else if (mode === 'static') {
  const { securityHeaders } = await import('#server/security-headers.ts');
  const body = readFileSync(arg!);
  const headers = { ...securityHeaders(publicOrigin), 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length) };
  await listen(
    createServer((_req, res) => {
      res.writeHead(200, headers);
      res.end(body);
    }),
  );
} else if (mode === 'minimal') {
  await listen(minimalServer(createClient({ url: process.env.DATABASE_URL!, timeout: 1_000 })));
} else {
  console.error('usage: node bench/forum-servers.ts portal <dist> | minimal | static <file>');
  process.exit(2);
}

// ─── The minimal handler ─────────────────────────────────────────────────────

/**
 * The yardstick: what a thread page, a category page or the first page of a forum search
 * costs with nothing between Node and libSQL. The same reads the portal makes for the page
 * (the session with its member, the thread or category with this member's facts, the page
 * of rows or the ranked search with its snippets, the unread notifications count), the
 * same visibility rules written as SQL, and a page written with template strings: about
 * the same bytes, none of Astro, React, drizzle or the layout's markup.
 */
function minimalServer(client: Client): Server {
  return createServer((req, res) => {
    handle(client, req, res).catch((error: unknown) => {
      console.error(error);
      res.writeHead(500).end();
    });
  });
}

const escape = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });
const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const count = new Intl.NumberFormat('en-GB');

async function handle(client: Client, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const member = await sessionMember(client, req.headers.cookie);
  if (!member) {
    res.writeHead(302, { location: '/login' }).end();
    return;
  }
  const unread = await unreadCount(client, member);
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  let body: string | null = null;
  if (url.pathname === '/thread') body = await threadPage(client, member, Number(url.searchParams.get('id')), page);
  else if (url.pathname === '/category') body = await categoryPage(client, member, url.searchParams.get('slug') ?? '', page);
  else if (url.pathname === '/search') body = await searchPage(client, member, url.searchParams.get('q') ?? '');
  if (body === null) {
    res.writeHead(404).end();
    return;
  }
  const html = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Forum</title></head><body><header><a href="/notifications">Notifications (${unread})</a> ${escape(member.displayName)}</header><main>${body}</main></body></html>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, no-store', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

interface Member {
  id: number;
  displayName: string;
  role: string;
  organisationType: string;
  organisationId: number;
}

async function sessionMember(client: Client, cookie: string | undefined): Promise<Member | null> {
  const token = /(?:^|;\s*)__Host-session=([^;]+)/.exec(cookie ?? '')?.[1];
  const [id, secret] = token?.split('.') ?? [];
  if (!id || !secret) return null;
  const { rows } = await client.execute({
    sql: `select s.secret_hash, s.last_verified_at, s.created_at, u.id, u.display_name, u.role, u.status, u.organisation_id, o.type
          from sessions s join users u on u.id = s.user_id join organisations o on o.id = u.organisation_id where s.id = ?`,
    args: [id],
  });
  const row = rows[0];
  if (!row || row.status !== 'active') return null;
  const stored = Buffer.from(row.secret_hash as ArrayBuffer);
  const given = createHash('sha256').update(secret).digest();
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return null;
  return { id: Number(row.id), displayName: String(row.display_name), role: String(row.role), organisationType: String(row.type), organisationId: Number(row.organisation_id) };
}

const MODERATOR_ROLES = ['moderator', 'editor', 'admin'];
const MODERATORS = `(${MODERATOR_ROLES.map((role) => `'${role}'`).join(', ')})`;
/** The category rule (src/lib/forum/permissions.ts canSeeCategorySql), on `c`, for role ?1 and organisation type ?2. */
const CATEGORY_OPEN = `(
  (coalesce(json_array_length(c.allowed_roles), 0) = 0 and coalesce(json_array_length(c.allowed_organisation_types), 0) = 0)
  or ?1 in ${MODERATORS}
  or exists (select 1 from json_each(coalesce(c.allowed_roles, '[]')) where value = ?1)
  or exists (select 1 from json_each(coalesce(c.allowed_organisation_types, '[]')) where value = ?2))`;

async function unreadCount(client: Client, m: Member): Promise<number> {
  const { rows } = await client.execute({
    sql: `select count(*) as n from notifications n join threads t on t.id = n.thread_id join categories c on c.id = t.category_id join posts p on p.id = n.post_id
          where n.user_id = ?3 and n.read_at is null and ${CATEGORY_OPEN} and p.deleted_at is null and (?1 in ${MODERATORS} or (t.hidden_at is null and p.hidden_at is null))`,
    args: [m.role, m.organisationType, m.id],
  });
  return Number(rows[0]!.n);
}

async function threadPage(client: Client, m: Member, threadId: number, page: number): Promise<string | null> {
  const { rows: threadRows } = await client.execute({
    sql: `select t.id, t.title, t.slug, t.reply_count, t.bumped_at, t.locked, t.hidden_at, c.name as category, c.slug as category_slug,
                 r.last_read_post_number, ts.level as thread_level, cs.level as category_level
          from threads t join categories c on c.id = t.category_id
          left join read_states r on r.thread_id = t.id and r.user_id = ?3
          left join thread_subscriptions ts on ts.thread_id = t.id and ts.user_id = ?3
          left join category_subscriptions cs on cs.category_id = c.id and cs.user_id = ?3
          where t.id = ?4 and ${CATEGORY_OPEN} and (t.hidden_at is null or ?1 in ${MODERATORS})`,
    args: [m.role, m.organisationType, m.id, threadId],
  });
  const thread = threadRows[0];
  if (!thread) return null;
  const after = (page - 1) * 20;
  const { rows: postRows } = await client.execute({
    sql: `select p.id, p.post_number, p.author_id, p.html, p.reply_to_post_number, p.created_at, p.edited_at, p.hidden_at, p.deleted_at, u.display_name
          from posts p left join users u on u.id = p.author_id where p.thread_id = ? and p.post_number > ? and p.post_number <= ? order by p.post_number`,
    args: [threadId, after, after + 20],
  });
  const path = `/forum/t/${thread.id}/${escape(thread.slug)}`;
  const posts = postRows
    .map((p) => {
      const n = Number(p.post_number);
      const text = p.deleted_at !== null ? '<p>This post was deleted.</p>' : p.hidden_at !== null ? '<p>This post was hidden by a moderator.</p>' : String(p.html);
      const mine = Number(p.author_id) === m.id;
      return `<article class="forum-post" id="post-${n}" aria-labelledby="post-${n}-heading"><header><h2 id="post-${n}-heading">Post ${n} by ${escape(p.display_name ?? 'a former member')}</h2>
<p><a href="/forum/p/${p.id}"><time datetime="${new Date(Number(p.created_at)).toISOString()}">${when.format(Number(p.created_at))}</time></a>${p.reply_to_post_number === null ? '' : ` · in reply to post ${p.reply_to_post_number}`}</p></header>
<div class="prose">${text}</div><ul><li><a href="${path}?reply=${n}#reply">Reply</a></li><li><a href="${path}?quote=${n}#reply">Quote</a></li>${mine ? `<li><a href="/forum/p/${p.id}/edit">Edit</a></li>` : `<li><a href="/forum/p/${p.id}/report">Report</a></li>`}</ul></article>`;
    })
    .join('\n');
  const level = thread.thread_level ?? thread.category_level ?? 'normal';
  return `<nav><a href="/forum/${escape(thread.category_slug)}">${escape(thread.category)}</a></nav><h1>${escape(thread.title)}</h1>
<p>${thread.reply_count} replies · last activity ${when.format(Number(thread.bumped_at))} · read up to ${thread.last_read_post_number ?? 0}</p>
${posts}<form method="post" action="/notifications"><p>Notifications: ${escape(level)}</p></form>
<form method="post" action="${path}?_action=forum.reply"><textarea name="body"></textarea><button>Post reply</button></form>`;
}

async function categoryPage(client: Client, m: Member, slug: string, page: number): Promise<string | null> {
  const { rows: categoryRows } = await client.execute({ sql: `select c.id, c.name, c.description from categories c where c.slug = ?4 and ${CATEGORY_OPEN}`, args: [m.role, m.organisationType, m.id, slug] });
  const category = categoryRows[0];
  if (!category) return null;
  const visible = `t.category_id = ?4 and (t.hidden_at is null or ?1 in ${MODERATORS})`;
  const { rows: totalRows } = await client.execute({ sql: `select count(*) as n from threads t where ${visible}`, args: [m.role, m.organisationType, m.id, category.id] });
  const { rows } = await client.execute({
    sql: `select t.id, t.title, t.slug, t.reply_count, t.highest_post_number, t.bumped_at, t.pinned, u.display_name, r.last_read_post_number
          from threads t left join users u on u.id = t.author_id left join read_states r on r.thread_id = t.id and r.user_id = ?3
          where ${visible} order by t.pinned desc, t.bumped_at desc, t.id desc limit 25 offset ?5`,
    args: [m.role, m.organisationType, m.id, category.id, (page - 1) * 25],
  });
  const items = rows
    .map((t) => {
      const unread = t.last_read_post_number === null ? 'New' : `${Number(t.highest_post_number) - Number(t.last_read_post_number)} unread`;
      return `<tr><th scope="row"><a href="/forum/t/${t.id}/${escape(t.slug)}">${escape(t.title)}</a> <span>Started by ${escape(t.display_name ?? 'a former member')}</span> ${unread}</th><td>${t.reply_count}</td><td>${when.format(Number(t.bumped_at))}</td></tr>`;
    })
    .join('\n');
  return `<h1>${escape(category.name)}</h1><p>${escape(category.description)}</p><p>${Number(totalRows[0]!.n)} threads</p><table><tbody>${items}</tbody></table>`;
}

// ─── Search: src/lib/forum/search.ts searchForum's queries, first page only ───

/** bm25 column weights (title, body) and snippet length, as in src/lib/forum/search.ts. */
const TITLE_WEIGHT = 10;
const BODY_WEIGHT = 1;
const SNIPPET_TOKENS = 24;
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';

/**
 * parseSearchQuery's MATCH for plain words: each chunk between spaces becomes a quoted
 * string of its words (a phrase when punctuation joins them). The benchmark's queries
 * need no "phrases" or prefix*, so those are not read here.
 */
function ftsMatch(q: string): string {
  const chunks = q.normalize('NFKC').split(/\s+/).map((chunk) => chunk.match(/[\p{L}\p{N}\p{M}]+/gu)?.join(' '));
  return [...new Set(chunks.filter(Boolean))].slice(0, MAX_TERMS).map((words) => `"${words}"`).join(' ');
}

/** FTS5 output with markers → escaped HTML with <mark>; a stray marker is dropped. */
const marked = (s: unknown) =>
  escape(s)
    .replace(/\uE000([^\uE000\uE001]*)\uE001/g, '<mark>$1</mark>')
    .replace(/[\uE000\uE001]/g, '');
/** Markdown's emphasis and code characters, left out of a one-line snippet as the portal does. */
const plain = (s: unknown) =>
  String(s)
    .replace(/\*{1,3}|`+|~~|^#+\s*/gm, '')
    .replace(/\s+/g, ' ')
    .trim();

async function searchPage(client: Client, m: Member, q: string): Promise<string> {
  const { rows: visible } = await client.execute({ sql: `select c.id, c.name, c.slug from categories c where ${CATEGORY_OPEN} order by c.position, c.name`, args: [m.role, m.organisationType] });
  const options = visible.map((c) => `<option value="${escape(c.slug)}">${escape(c.name)}</option>`).join('');
  const form = `<h1>Search the forum</h1><form method="get" action="/forum/search" role="search"><input type="search" name="q" value="${escape(q)}"><select name="category"><option value="">Any category</option>${options}</select><button>Search</button></form>`;
  const match = ftsMatch(q);
  if (!match || visible.length === 0) return form;
  const where = [`posts_fts match ?`, `t.category_id in (${visible.map((c) => Number(c.id)).join(', ')})`, `p.deleted_at is null`];
  const moderator = MODERATOR_ROLES.includes(m.role);
  if (!moderator) where.push(`p.hidden_at is null`, `t.hidden_at is null`);
  const { rows: ranked } = await client.execute({
    sql: `with hits as materialized (
            select p.id as post_id, p.thread_id, p.post_number, p.created_at,
                   p.hidden_at is not null as post_hidden, t.hidden_at is not null as thread_hidden,
                   bm25(posts_fts, ${TITLE_WEIGHT}, ${BODY_WEIGHT}) as score, bm25(posts_fts, 0.0, 1.0) < 0 as body_matches
            from posts_fts join posts p on p.id = posts_fts.rowid join threads t on t.id = p.thread_id
            where ${where.join(' and ')} order by posts_fts.rowid desc limit ?),
          candidates as (select post_id, thread_id, post_number, created_at, post_hidden, thread_hidden, score, body_matches from hits order by post_id desc limit ?),
          best as (select post_id, thread_id, post_number, created_at, post_hidden, thread_hidden, score,
                          row_number() over (partition by thread_id order by body_matches desc, score, post_number) as nth from candidates)
          select (select count(*) from hits) as candidates, post_id, thread_id, post_number, created_at, post_hidden, thread_hidden, count(*) over () as total
          from best where nth = 1 order by score, created_at desc, post_id desc limit ${SEARCH_PAGE_SIZE}`,
    args: [match, CANDIDATE_LIMIT + 1, CANDIDATE_LIMIT],
  });
  const total = Number(ranked[0]?.total ?? 0);
  const capped = Number(ranked[0]?.candidates ?? 0) > CANDIDATE_LIMIT;
  const { rows: details } = ranked.length
    ? await client.execute({
        sql: `select f.rowid as post_id, highlight(posts_fts, 0, ?2, ?3) as title_marked, snippet(posts_fts, 1, ?2, ?3, '…', ${SNIPPET_TOKENS}) as body_marked,
                     t.slug, c.name as category_name, u.display_name as author_name
              from posts_fts f join posts p on p.id = f.rowid join threads t on t.id = p.thread_id join categories c on c.id = t.category_id left join users u on u.id = p.author_id
              where posts_fts match ?1 and f.rowid in (${ranked.map((r) => Number(r.post_id)).join(', ')})`,
        args: [match, MARK_OPEN, MARK_CLOSE],
      })
    : { rows: [] };
  const byId = new Map(details.map((d) => [Number(d.post_id), d]));
  const items = ranked
    .map((r) => {
      const d = byId.get(Number(r.post_id));
      if (!d) return '';
      const n = Number(r.post_number);
      const href = `/forum/t/${r.thread_id}/${escape(d.slug)}${n > 20 ? `?page=${Math.ceil(n / 20)}` : ''}#post-${n}`;
      const created = new Date(Number(r.created_at));
      const hidden = moderator && (Number(r.thread_hidden) || Number(r.post_hidden)) ? `<p><strong>${Number(r.thread_hidden) ? 'Thread' : 'Post'} hidden from members</strong></p>` : '';
      return `<li><p>${escape(d.category_name)}</p><h2 class="forum-results__title"><a href="${href}">${marked(d.title_marked)}</a></h2>${hidden}<p>${marked(plain(d.body_marked))}</p>
<p>${n === 1 ? 'Opening post' : `Reply ${n - 1}`} by ${escape(d.author_name ?? 'a former member')}, <time datetime="${created.toISOString()}">${day.format(created)}</time></p></li>`;
    })
    .join('\n');
  const status = total === 0 ? `Nothing in the forum matched ${escape(q)}.` : `${capped ? 'At least ' : ''}${count.format(total)} ${total === 1 ? 'thread matches' : 'threads match'} ${escape(q)}.`;
  const narrowed = capped ? `<p>Your words are in more than ${count.format(CANDIDATE_LIMIT)} posts, so these results are the best of the most recent ${count.format(CANDIDATE_LIMIT)}.</p>` : '';
  return `${form}<p class="search-status" role="status">${status}</p>${narrowed}<ol class="forum-results">${items}</ol><p>Page 1 of ${Math.max(1, Math.ceil(total / SEARCH_PAGE_SIZE))}</p>`;
}
