/**
 * Forum search against a real libSQL file with the FTS5 table and its triggers: ranking,
 * escaped snippets, restricted categories, hidden and deleted posts, filters, paging, and
 * hostile queries that must never throw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { categories, organisations, posts, threads, type Category, type OrganisationType, type Role, type User } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { forumActor, type ForumActor } from '#lib/forum/access.ts';
import { renderMarkdown } from '#lib/forum/markdown.ts';
import { slugify } from '#lib/forum/limits.ts';
import {
  MAX_TERMS,
  markedToHtml,
  parseSearchQuery,
  readSearchRequest,
  searchForum,
  type SearchOutcome,
  type SearchRequest,
} from '#lib/forum/search.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
let db: Database;
let open: Category;
let opccOnly: Category;
let other: Category;
let author: User;
let member: ForumActor;
let insider: ForumActor;
let moderator: ForumActor;
let hashUsed = '';

const DAY = 86_400_000;
const base = Date.parse('2026-06-01T12:00:00Z');

async function category(slug: string, allowedOrganisationTypes: OrganisationType[] | null = null): Promise<Category> {
  const [row] = await write(db, (tx) => tx.insert(categories).values({ slug, name: `Category ${slug}`, description: 'd', allowedOrganisationTypes }).returning());
  return row!;
}

async function person(role: Role, orgType: OrganisationType = 'charity', name?: string): Promise<User> {
  const [org] = await write(db, (tx) => tx.insert(organisations).values({ name: `Org ${role} ${orgType} ${Math.random()}`, type: orgType, region: 'national' }).returning());
  const { user } = await createTestUser(db, { role, organisationId: org!.id, passwordHash: hashUsed, ...(name ? { displayName: name } : {}) });
  return user;
}

/** A thread with its posts, written straight to the tables (as the lib would), at given times. */
async function thread(cat: Category, title: string, bodies: string[], opts: { at?: number; by?: User; hidden?: boolean } = {}) {
  const at = opts.at ?? base;
  return write(db, async (tx) => {
    const [row] = await tx
      .insert(threads)
      .values({ categoryId: cat.id, title, slug: slugify(title), authorId: (opts.by ?? author).id, createdAt: new Date(at), bumpedAt: new Date(at), highestPostNumber: bodies.length, replyCount: bodies.length - 1, hiddenAt: opts.hidden ? new Date(at) : null })
      .returning();
    const ids: number[] = [];
    for (const [i, raw] of bodies.entries()) {
      const [p] = await tx
        .insert(posts)
        .values({ threadId: row!.id, postNumber: i + 1, authorId: (opts.by ?? author).id, raw, html: renderMarkdown(raw), createdAt: new Date(at + i * 60_000) })
        .returning({ id: posts.id });
      ids.push(p!.id);
    }
    return { thread: row!, postIds: ids };
  });
}

const search = (actor: ForumActor, q: string, extra: Partial<SearchRequest> = {}) => searchForum(db, actor, { q, page: 1, ...extra });

function done(outcome: SearchOutcome) {
  if (outcome.status !== 'done') throw new Error(`expected results, got ${outcome.status}`);
  return outcome;
}

// Filler so that bm25's IDF is not clamped: the words searched for are rare in the corpus.
const filler = ['Quarterly meeting notes', 'Training dates for the spring', 'Regional contacts list', 'Welcome to new members', 'Funding round announced'];

beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  hashUsed = 'not-a-real-hash';
  open = await category('general');
  other = await category('training');
  opccOnly = await category('pcc-only', ['opcc']);
  author = await person('member', 'charity', 'Priya Author');
  member = await forumActor(db, (await person('member')).id);
  insider = await forumActor(db, (await person('member', 'opcc')).id);
  moderator = await forumActor(db, (await person('moderator')).id);
  for (const [i, title] of filler.entries()) await thread(open, title, [`Ordinary words about meetings number ${i}.`, 'A reply with nothing special.'], { at: base - 30 * DAY });
});
afterAll(() => t.cleanup());

describe('reading what a member typed', () => {
  it('quotes every term, so operators, columns and anchors are only words', () => {
    expect(parseSearchQuery('AND OR NOT').match).toBe('"AND" "OR" "NOT"');
    expect(parseSearchQuery('NEAR(a b)').match).toBe('"NEAR a" "b"');
    expect(parseSearchQuery('title:kittiwake').match).toBe('"title kittiwake"');
    expect(parseSearchQuery('^start').match).toBe('"start"');
    expect(parseSearchQuery('multi-agency').match).toBe('"multi agency"');
  });

  it('keeps "phrases in quotes" and prefix* searches of three letters or more', () => {
    expect(parseSearchQuery('"safe house" refer*').match).toBe('"safe house" "refer" *');
    expect(parseSearchQuery('re*').match).toBe('"re"');
    expect(parseSearchQuery('"unbalanced quote').match).toBe('"unbalanced" "quote"');
  });

  it('finds nothing to search in punctuation, emoji and control characters', () => {
    for (const q of ['"', '*', '^', '()', '"" ** ::', '🙂🙂', '\u0000', '   ']) expect(parseSearchQuery(q).match, JSON.stringify(q)).toBeNull();
  });

  it('cuts long input and many words, and says so', () => {
    const long = parseSearchQuery('word '.repeat(2_000));
    expect(long.truncated).toBe(true);
    expect(long.terms).toHaveLength(1); // the same word once
    const many = parseSearchQuery(Array.from({ length: 30 }, (_, i) => `w${i}`).join(' '));
    expect(many.terms).toHaveLength(MAX_TERMS);
    expect(many.truncated).toBe(true);
  });

  it('reads filters from the address, dropping bad ones with a message', () => {
    const { request, errors } = readSearchRequest(new URLSearchParams('q=x&category=Bad Slug!&from=2026-02-30&to=2026-01-01&page=-4'));
    expect(request).toMatchObject({ q: 'x', page: 1, to: '2026-01-01' });
    expect(request.category).toBeUndefined();
    expect(errors.category).toMatch(/category/);
    expect(errors.from).toMatch(/real date/);
  });
});

describe('ranking', () => {
  it('puts a title match above a match in the body only', async () => {
    const inBody = await thread(open, 'Notes from the northern workshop', ['We talked about the kittiwake protocol at length, and the kittiwake leaflet.'], { at: base + DAY });
    const inTitle = await thread(open, 'The kittiwake protocol', ['An introduction for new colleagues.'], { at: base });
    const { hits } = done(await search(member, 'kittiwake'));
    expect(hits.map((h) => h.threadId)).toEqual([inTitle.thread.id, inBody.thread.id]);
  });

  it('breaks a tie in relevance by recency, newest first', async () => {
    const older = await thread(open, 'Guillemot update', ['Same words here.'], { at: base - 2 * DAY });
    const newer = await thread(open, 'Guillemot update', ['Same words here.'], { at: base + 2 * DAY });
    const { hits } = done(await search(member, 'guillemot'));
    expect(hits.map((h) => h.threadId)).toEqual([newer.thread.id, older.thread.id]);
  });

  it('gives one result per thread: the post whose own text matches, else the first post', async () => {
    const titled = await thread(open, 'Puffin referrals', ['First post.', 'A reply.', 'Another reply.']);
    const replied = await thread(open, 'Cormorant questions', ['Opening post.', 'Nothing here.', 'The cormorant case went to court.']);
    const puffin = done(await search(member, 'puffin'));
    expect(puffin.total).toBe(1);
    expect(puffin.hits[0]).toMatchObject({ threadId: titled.thread.id, postNumber: 1, postId: titled.postIds[0] });
    const cormorant = done(await search(member, 'cormorant'));
    expect(cormorant.total).toBe(1);
    expect(cormorant.hits[0]).toMatchObject({ threadId: replied.thread.id, postNumber: 3 });
    expect(cormorant.hits[0]!.href).toBe(`/forum/t/${replied.thread.id}/cormorant-questions#post-3`);
  });

  it('matches word forms and prefixes', async () => {
    await thread(open, 'Safeguarding leads', ['Who coordinates safeguarding referrals in your area?']);
    expect(done(await search(member, 'referral')).hits.some((h) => h.titleHtml.includes('Safeguarding leads'))).toBe(true);
    // Prefixes match the stemmed index (porter): `safegu*` finds "safeguarding".
    expect(done(await search(member, 'safegu*')).total).toBeGreaterThan(0);
    expect(done(await search(member, 'safegu')).total).toBe(0);
  });
});

describe('snippets', () => {
  it('escape the post and mark only the matches', async () => {
    await thread(open, 'Script test thread', ['Before <script>alert("x")</script> the petrel & <b>bold</b> after.']);
    const [hit] = done(await search(member, 'petrel')).hits;
    expect(hit!.snippetHtml).toContain('<mark>petrel</mark>');
    expect(hit!.snippetHtml).toContain('&lt;script&gt;');
    expect(hit!.snippetHtml.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect(hit!.titleHtml).toBe('Script test thread');
  });

  it('highlight the title and stay balanced when a post contains the marker characters', async () => {
    await thread(open, 'Shearwater sightings', ['Odd \uE001 text \uE000 with shearwater <i>inside</i>']);
    const [hit] = done(await search(member, 'shearwater')).hits;
    expect(hit!.titleHtml).toBe('<mark>Shearwater</mark> sightings');
    const tags = hit!.snippetHtml.match(/<\/?mark>/g) ?? [];
    expect(tags.join('')).toMatch(/^(<mark><\/mark>)+$/);
    expect(hit!.snippetHtml.replace(/<\/?mark>/g, '')).not.toMatch(/[<>\uE000\uE001]/);
    expect(markedToHtml('\uE001a\uE000b')).toBe('a<mark>b</mark>');
  });
});

describe('who sees what', () => {
  it('never shows an outsider a restricted category, not even in the count', async () => {
    await thread(opccOnly, 'Commissioners only: albatross budget', ['The albatross figures for the commissioners.']);
    await thread(open, 'Albatross in the open', ['Open albatross chat.']);
    const outsider = done(await search(member, 'albatross'));
    expect(outsider.total).toBe(1);
    expect(outsider.hits.map((h) => h.categorySlug)).toEqual(['general']);
    expect(outsider.categories.map((c) => c.slug)).not.toContain('pcc-only');
    const asInsider = done(await search(insider, 'albatross'));
    expect(asInsider.total).toBe(2);
    expect(done(await search(moderator, 'albatross')).total).toBe(2);
  });

  it('answers a restricted category filter like an unknown one', async () => {
    const outcome = done(await search(member, 'albatross', { category: 'pcc-only' }));
    expect(outcome.errors.category).toBeDefined();
    expect(outcome.hits.every((h) => h.categorySlug !== 'pcc-only')).toBe(true);
    const unknown = done(await search(member, 'albatross', { category: 'no-such-category' }));
    expect(unknown.errors.category).toBe(outcome.errors.category);
    expect(unknown.total).toBe(outcome.total);
  });

  it('leaves hidden and deleted posts and hidden threads out for members; moderators see the hidden ones, marked', async () => {
    const hiddenPost = await thread(open, 'Fulmar one', ['The fulmar report.']);
    await write(db, (tx) => tx.update(posts).set({ hiddenAt: new Date(), hiddenReason: 'test' }).where(eq(posts.id, hiddenPost.postIds[0]!)));
    const deleted = await thread(open, 'Fulmar two', ['Another fulmar report.']);
    await write(db, (tx) => tx.update(posts).set({ deletedAt: new Date() }).where(eq(posts.id, deleted.postIds[0]!)));
    const hiddenThread = await thread(open, 'Fulmar three', ['Third fulmar report.'], { hidden: true });
    const visible = await thread(open, 'Fulmar four', ['Visible fulmar report.']);

    const asMember = done(await search(member, 'fulmar'));
    expect(asMember.hits.map((h) => h.threadId)).toEqual([visible.thread.id]);
    expect(asMember.total).toBe(1);

    const asModerator = done(await search(moderator, 'fulmar'));
    const byThread = new Map(asModerator.hits.map((h) => [h.threadId, h]));
    expect(asModerator.total).toBe(3);
    expect(byThread.has(deleted.thread.id)).toBe(false);
    expect(byThread.get(hiddenPost.thread.id)).toMatchObject({ postHidden: true, threadHidden: false });
    expect(byThread.get(hiddenThread.thread.id)).toMatchObject({ postHidden: false, threadHidden: true });
    expect(byThread.get(visible.thread.id)).toMatchObject({ postHidden: false, threadHidden: false });
  });
});

describe('filters and pages', () => {
  it('narrow by category, author and date range', async () => {
    const other1 = await person('member', 'charity', 'Zed Otherauthor');
    await thread(open, 'Tern in general', ['tern notes'], { at: Date.parse('2026-03-10T09:00:00Z') });
    await thread(other, 'Tern in training', ['tern notes'], { at: Date.parse('2026-04-10T09:00:00Z'), by: other1 });
    expect(done(await search(member, 'tern')).total).toBe(2);
    expect(done(await search(member, 'tern', { category: 'training' })).hits.map((h) => h.categorySlug)).toEqual(['training']);
    expect(done(await search(member, 'tern', { author: 'otherAUTH' })).hits.map((h) => h.authorName)).toEqual(['Zed Otherauthor']);
    expect(done(await search(member, 'tern', { author: '%' })).total).toBe(0);
    expect(done(await search(member, 'tern', { from: '2026-04-10' })).total).toBe(1);
    expect(done(await search(member, 'tern', { to: '2026-03-10' })).total).toBe(1);
    expect(done(await search(member, 'tern', { from: '2026-03-11', to: '2026-04-09' })).total).toBe(0);
  });

  it('pages 20 at a time', async () => {
    for (let i = 0; i < 45; i += 1) await thread(open, `Heron thread ${i}`, ['heron'], { at: base + i * 1000 });
    const first = done(await search(member, 'heron'));
    expect(first).toMatchObject({ total: 45, pages: 3 });
    expect(first.hits).toHaveLength(20);
    const third = done(await search(member, 'heron', { page: 3 }));
    expect(third.hits).toHaveLength(5);
    const beyond = done(await search(member, 'heron', { page: 4 }));
    expect(beyond).toMatchObject({ total: 45, pages: 3 });
    expect(beyond.hits).toHaveLength(0);
  });

  it('ranks only the most recent matching posts when there are more than the limit, and says so', async () => {
    const all = done(await search(member, 'heron'));
    expect(all.capped).toBe(false);
    const capped = done(await searchForum(db, member, { q: 'heron', page: 1 }, { candidateLimit: 20 }));
    expect(capped.capped).toBe(true);
    expect(capped.total).toBe(20);
    // The 20 most recent of the 45 "Heron thread N" (one post each, created in order).
    const newest = new Set(Array.from({ length: 20 }, (_, i) => `Heron thread ${44 - i}`));
    expect(capped.hits.every((h) => newest.has(h.titleHtml.replace(/<\/?mark>/g, '')))).toBe(true);
    expect(done(await searchForum(db, member, { q: 'heron', page: 1 }, { candidateLimit: 45 })).capped).toBe(false);
  });

  it('an empty query is no search', async () => {
    expect((await search(member, '   ')).status).toBe('no-query');
    expect((await search(member, '"*"')).status).toBe('no-words');
  });
});

describe('hostile queries', () => {
  const corpus = [
    '"',
    '""',
    '*',
    '**',
    'heron*',
    '*heron',
    'NEAR(',
    'NEAR(heron tern, 2)',
    'heron NEAR tern',
    'AND OR NOT',
    'heron AND',
    'NOT heron',
    'OR',
    'col:',
    'title:heron',
    'body:',
    '{title body}: heron',
    '^',
    '^heron',
    '(',
    ')',
    '((heron)',
    'heron)',
    '-heron',
    '+heron',
    "heron' OR 1=1 --",
    "'; DROP TABLE posts; --",
    'heron'.repeat(2_000),
    'x'.repeat(10_000),
    '"'.repeat(10_000),
    '🙂 heron 🐦',
    '🙂',
    'heron\u0000tern',
    '\u0000',
    '\uE000heron\uE001',
    'héron',
    '日本語',
    '\\',
    '%_',
    'a b c d e f g h i j k l m n o p q r s t u v w x y z',
  ];

  it.each(corpus.map((q) => [q.length > 40 ? `${q.slice(0, 20)}… (${q.length} chars)` : JSON.stringify(q), q]))('%s never throws', async (_label, q) => {
    for (const actor of [member, moderator]) {
      const outcome = await search(actor, q);
      expect(['done', 'no-words', 'no-query']).toContain(outcome.status);
      if (outcome.status === 'done') expect(outcome.total).toBeGreaterThanOrEqual(0);
    }
  });

  it('finds what the hostile-looking query means in words', async () => {
    expect(done(await search(member, 'title:heron')).total).toBe(0); // the phrase "title heron"
    expect(done(await search(member, 'NEAR(heron')).total).toBe(0); // "near heron" is not in any post
    expect(done(await search(member, '(heron)')).total).toBe(45);
    expect(done(await search(member, '🙂 heron 🐦')).total).toBe(45);
  });
});
