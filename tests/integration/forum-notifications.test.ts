/**
 * Forum notifications against a real libSQL file: who is told about a new post and why
 * (mention > quote > reply > watching), who never is (the author, muted members,
 * members outside a restricted category, suspended members), the @mention rule, watch
 * and mute levels, marking read, unread counts, the mention autocomplete, and read state.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  categories,
  notifications,
  organisations,
  organisationTypes,
  posts,
  readStates,
  roles,
  threadSubscriptions,
  threads,
  throttleEvents,
  users,
  type Category,
  type OrganisationType,
  type Role,
  type User,
} from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { forumActor, type ForumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';
import { markRead } from '#lib/forum/threads.ts';
import {
  countUnreadNotifications,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  markThreadNotificationsRead,
  quotedPosts,
} from '#lib/forum/notifications.ts';
import { findMentionedMembers, mentionSnippets, pickMentionedNames, suggestMentionNames } from '#lib/forum/mentions.ts';
import { effectiveLevel } from '#lib/forum/levels.ts';
import { setCategoryLevel, setThreadLevel, threadLevelOf } from '#lib/forum/subscriptions.ts';
import { canSeeCategory, canSeeCategorySql } from '#lib/forum/permissions.ts';
import { quoteForReply } from '#lib/forum/thread-view.ts';
import { freshDatabase, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
let db: Database;
let charity: number;
let opcc: number;
let open: Category;
let pccOnly: Category;
let n = 0;

async function organisation(name: string, type: OrganisationType): Promise<number> {
  const [row] = await write(db, (tx) => tx.insert(organisations).values({ name, type, region: 'national' }).returning());
  return row!.id;
}

async function member(displayName: string, options: { role?: Role; organisationId?: number; status?: 'active' | 'suspended' } = {}): Promise<ForumActor & { user: User }> {
  const email = `notify-${++n}@example.org`;
  const [user] = await write(db, (tx) =>
    tx
      .insert(users)
      .values({
        email,
        displayName,
        role: options.role ?? 'member',
        organisationId: options.organisationId ?? charity,
        status: options.status ?? 'active',
        passwordHash: 'not-a-real-hash',
      })
      .returning(),
  );
  return { ...(await forumActor(db, user!.id)), user: user! };
}

async function category(name: string, restriction: Partial<Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'>> = {}): Promise<Category> {
  const [row] = await write(db, (tx) =>
    tx
      .insert(categories)
      .values({ slug: name.toLowerCase().replace(/\W+/g, '-'), name, description: name, ...restriction })
      .returning(),
  );
  return row!;
}

async function thread(author: ForumActor, body = 'Opening the discussion.', inCategory: Category = open) {
  const result = await createThread(db, author, { categoryId: inCategory.id, title: `Thread ${++n} about practice`, body });
  if (!result.ok) throw new Error(result.message);
  return result;
}

async function reply(author: ForumActor, threadId: number, body: string, replyToPostNumber?: number) {
  const result = await createReply(db, author, { threadId, body, replyToPostNumber });
  if (!result.ok) throw new Error(result.message);
  return result.post;
}

/** Who was told about a post, as { userId: kind }. */
async function toldAbout(postId: number): Promise<Record<number, string>> {
  const rows = await db.select().from(notifications).where(eq(notifications.postId, postId)).all();
  const told: Record<number, string> = {};
  for (const row of rows) {
    expect(told[row.userId], `two notifications for member ${row.userId}`).toBeUndefined();
    told[row.userId] = row.kind;
  }
  return told;
}

beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  charity = await organisation('Harbour Trust', 'charity');
  opcc = await organisation('Office of the PCC', 'opcc');
  open = await category('General discussion');
  pccOnly = await category('PCCs only', { allowedOrganisationTypes: ['opcc'] });
});
afterAll(() => t.cleanup());
// Posting is limited to 6 a minute per member; these tests post much faster.
beforeEach(async () => {
  await write(db, (tx) => tx.delete(throttleEvents));
});

describe('the @mention rule', () => {
  const names = ['Carol', 'Carol Cunningham', 'Sam Member (demo)', 'Zoë Ng'];

  it('matches the longest display name after each @, A–Z case-insensitive, ending at a word boundary', () => {
    const pick = (text: string) => [...pickMentionedNames(mentionSnippets(text), names)];
    expect(pick('Thanks @Carol Cunningham for this')).toEqual(['carol cunningham']);
    expect(pick('@carol, can you look?')).toEqual(['carol']);
    expect(pick('@CAROL CUNNINGHAM.')).toEqual(['carol cunningham']);
    expect(pick('Hello @Carolyn')).toEqual([]);
    expect(pick('Ask @Sam Member (demo): they know')).toEqual(['sam member (demo)']);
    expect(pick('(@Zoë Ng)')).toEqual(['zoë ng']);
    expect(pick('@Carol and @Carol Cunningham')).toEqual(['carol', 'carol cunningham']);
  });

  it('ignores addresses, escaped @, code and quoted lines', () => {
    const pick = (text: string) => [...pickMentionedNames(mentionSnippets(text), names)];
    expect(pick('Write to carol@example.org or see example.org/@Carol')).toEqual([]);
    expect(pick('Not a mention: \\@Carol')).toEqual([]);
    expect(pick('Run `@Carol` in the shell')).toEqual([]);
    expect(pick('```\n@Carol\n```\nafter the fence')).toEqual([]);
    expect(pick('> @Carol said so\n\nI agree')).toEqual([]);
  });

  it('reads at most 10 different mentions a post', () => {
    const text = Array.from({ length: 15 }, (_, i) => `@Person ${i}`).join(' ');
    expect(mentionSnippets(text)).toHaveLength(10);
  });

  it('finds every member of the mentioned name, and none for a name nobody has', async () => {
    const a = await member('Jo Twin');
    const b = await member('jo twin');
    await member('Jo');
    const found = await findMentionedMembers(db, 'Over to @Jo Twin and @Nobody Here');
    expect(found.map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe('who is told about a new post', () => {
  it('a member mentioned in a reply is told (mention), with the post, thread and author', async () => {
    const author = await member('Ada Author');
    const mentioned = await member('Milo Mentioned');
    const { thread: th } = await thread(author);
    const post = await reply(author, th.id, 'Could @Milo Mentioned share the referral form?');
    const rows = await db.select().from(notifications).where(eq(notifications.postId, post.id)).all();
    expect(rows).toMatchObject([{ userId: mentioned.id, kind: 'mention', threadId: th.id, postId: post.id, actorId: author.id, readAt: null }]);
  });

  it('a mention in the first post of a thread is told too', async () => {
    const author = await member('Ari Opener');
    const mentioned = await member('Mia First');
    const { postId } = await thread(author, 'Starting this for @Mia First.');
    expect(await toldAbout(postId)).toEqual({ [mentioned.id]: 'mention' });
  });

  it('the author of the post replied to is told (reply); the author of a reply is never told about it', async () => {
    const first = await member('Rae Replied');
    const second = await member('Rex Replier');
    const { thread: th } = await thread(first);
    const post = await reply(second, th.id, 'I agree with this.', 1);
    // `first` watches the thread they started, but the reply is the stronger reason.
    expect(await toldAbout(post.id)).toEqual({ [first.id]: 'reply' });
    const own = await reply(first, th.id, 'Replying to myself, and mentioning @Rae Replied.', 1);
    expect(await toldAbout(own.id)).toEqual({ [second.id]: 'watching' });
  });

  it('the author of a quoted post is told (quote), whether or not it is also a reply', async () => {
    const quoted = await member('Quinn Quoted');
    const quoter = await member('Quill Quoter');
    const { thread: th } = await thread(quoted, 'Safe houses need a second key holder.');
    // What the thread page's "Quote" link puts in the reply box.
    const quote = await quoteForReply(db, quoter, th.id, 1);
    expect(quotedPosts(quote!, th.id).postIds).toHaveLength(1);
    const post = await reply(quoter, th.id, `${quote}Agreed.`);
    expect(await toldAbout(post.id)).toEqual({ [quoted.id]: 'quote' });
    const both = await reply(quoter, th.id, `${quote}Agreed, and replying.`, 1);
    expect(await toldAbout(both.id)).toEqual({ [quoted.id]: 'quote' });
  });

  it('reads a quote’s attribution from the line before it or its first line, never from nested quotes or other threads', () => {
    const found = (text: string) => quotedPosts(text, 7);
    expect(found('Sam wrote in [post 3](/forum/p/41):\n\n> text\n\nMy answer.')).toEqual({ postNumbers: [], postIds: [41] });
    expect(found('> **Sam** [wrote](#post-2):\n> text')).toEqual({ postNumbers: [2], postIds: [] });
    expect(found('> **Sam** [wrote](/forum/t/7/a-slug?page=2#post-23):\n> text')).toEqual({ postNumbers: [23], postIds: [] });
    expect(found('> **Sam** [wrote](/forum/t/8/a-slug#post-3):\n> text').postNumbers).toEqual([]);
    expect(found('> > **Sam** [wrote](#post-2):\n> > text').postNumbers).toEqual([]);
    expect(found('> text first\n> **Sam** [wrote](#post-2):').postNumbers).toEqual([]);
    // A link that attributes no quote is only a link.
    expect(found('See [post 3](/forum/p/41) for more.')).toEqual({ postNumbers: [], postIds: [] });
    expect(found('See [post 3](/forum/p/41) for more.\n\n> an unrelated quote')).toEqual({ postNumbers: [], postIds: [] });
  });

  it('a quote of a post in another thread tells nobody', async () => {
    const quoted = await member('Perry Permalink');
    const quoter = await member('Paula Permalink');
    const { thread: th } = await thread(quoted, 'Quote me by permalink.');
    const { thread: elsewhere } = await thread(quoted, 'Another thread.');
    const quote = await quoteForReply(db, quoter, elsewhere.id, 1);
    const post = await reply(quoter, th.id, `${quote}Hm.`);
    expect(await toldAbout(post.id)).toEqual({ [quoted.id]: 'watching' });
  });

  it('members watching the thread or its category are told (watching)', async () => {
    const author = await member('Wes Writer');
    const threadWatcher = await member('Tia Thread Watcher');
    const categoryWatcher = await member('Cal Category Watcher');
    const watched = await category('Watched category');
    expect(await setCategoryLevel(db, categoryWatcher, watched.id, 'watching')).toEqual({ ok: true });

    const { thread: th, postId } = await thread(author, 'A new thread.', watched);
    expect(await toldAbout(postId)).toEqual({ [categoryWatcher.id]: 'watching' });

    expect(await setThreadLevel(db, threadWatcher, th.id, 'watching')).toEqual({ ok: true });
    const post = await reply(author, th.id, 'More news.');
    expect(await toldAbout(post.id)).toEqual({ [threadWatcher.id]: 'watching', [categoryWatcher.id]: 'watching' });
  });

  it('posting subscribes the author (watching), unless they chose a level already', async () => {
    const author = await member('Pia Poster');
    const other = await member('Oli Other');
    const { thread: th } = await thread(author);
    expect(await threadLevelOf(db, author.id, th.id)).toBe('watching');
    await setThreadLevel(db, other, th.id, 'muted');
    await reply(other, th.id, 'A reply from someone who muted the thread.');
    expect(await threadLevelOf(db, other.id, th.id)).toBe('muted');
  });

  it('a muted thread silences everything, even in a watched category, even mentions and replies', async () => {
    const author = await member('Max Muter');
    const muter = await member('Moe Muted');
    const watched = await category('Loud category');
    await setCategoryLevel(db, muter, watched.id, 'watching');
    const { thread: th } = await thread(muter, 'Started by the member who will mute it.', watched);
    await setThreadLevel(db, muter, th.id, 'muted');
    const post = await reply(author, th.id, '@Moe Muted, replying to you.', 1);
    expect(await toldAbout(post.id)).toEqual({});
  });

  it('a thread-level choice beats the category: watching in a muted category, normal in a watched one', async () => {
    const author = await member('Kit Poster');
    const a = await member('Ann Chooser');
    const b = await member('Ben Chooser');
    const quiet = await category('Quiet category');
    await setCategoryLevel(db, a, quiet.id, 'muted');
    await setCategoryLevel(db, b, quiet.id, 'watching');
    const { thread: th, postId } = await thread(author, 'First post.', quiet);
    expect(await toldAbout(postId)).toEqual({ [b.id]: 'watching' });
    await setThreadLevel(db, a, th.id, 'watching');
    await setThreadLevel(db, b, th.id, 'normal');
    const post = await reply(author, th.id, 'Second post.');
    expect(await toldAbout(post.id)).toEqual({ [a.id]: 'watching' });
    // A muted category silences a reply to you, unless the thread says otherwise.
    const c = await member('Cy Chooser');
    await setCategoryLevel(db, c, quiet.id, 'muted');
    const { thread: th2 } = await thread(c, 'Mine.', quiet);
    await write(db, (tx) => tx.delete(threadSubscriptions).where(and(eq(threadSubscriptions.userId, c.id), eq(threadSubscriptions.threadId, th2.id))));
    const toC = await reply(author, th2.id, 'Reply to Cy.', 1);
    expect(await toldAbout(toC.id)).toEqual({ [b.id]: 'watching' });
  });

  it('one notification per member per post, by precedence: mention > quote > reply > watching', async () => {
    const target = await member('Pam Precedence');
    const other = await member('Ola Other');
    const author = await member('Tom Teller');
    const { thread: th } = await thread(target, 'The first post.');
    await reply(other, th.id, 'The second post.');
    const quoteOf1 = await quoteForReply(db, author, th.id, 1);
    const quoteOf2 = await quoteForReply(db, author, th.id, 2);

    const all = await reply(author, th.id, `${quoteOf1}@Pam Precedence, @pam precedence: see above.`, 1);
    // `other` watches the thread: they posted in it.
    expect(await toldAbout(all.id)).toEqual({ [target.id]: 'mention', [other.id]: 'watching' });
    const quoteAndReply = await reply(author, th.id, `${quoteOf1}Quoting you.`, 1);
    expect(await toldAbout(quoteAndReply.id)).toEqual({ [target.id]: 'quote', [other.id]: 'watching' });
    const replyAndWatching = await reply(author, th.id, `${quoteOf2}Replying to the first post.`, 1);
    expect(await toldAbout(replyAndWatching.id)).toEqual({ [target.id]: 'reply', [other.id]: 'quote' });
  });
});

describe('restricted categories: nobody outside is told anything', () => {
  it('a mention of a member who cannot see the category notifies nobody', async () => {
    const pcc = await member('Pat Commissioner', { organisationId: opcc });
    const outsider = await member('Olive Outsider');
    // An insider whose name starts like the outsider's: the mention must not fall back to them.
    const insider = await member('Olive', { organisationId: opcc });
    const { thread: th, postId } = await thread(pcc, 'Thinking of asking @Olive Outsider.', pccOnly);
    expect(await toldAbout(postId)).toEqual({});
    const post = await reply(pcc, th.id, '@Olive Outsider, are you there?');
    expect(await toldAbout(post.id)).toEqual({});
    expect(await countUnreadNotifications(db, outsider.user)).toBe(0);
    const toInsider = await reply(pcc, th.id, '@Olive, are you there?');
    expect(await toldAbout(toInsider.id)).toEqual({ [insider.id]: 'mention' });
  });

  it('moderators see every category, so a mention of one is told', async () => {
    const pcc = await member('Pip Commissioner', { organisationId: opcc });
    const moderator = await member('Mod Erator', { role: 'moderator' });
    const { postId } = await thread(pcc, 'Flagging this for @Mod Erator.', pccOnly);
    expect(await toldAbout(postId)).toEqual({ [moderator.id]: 'mention' });
  });

  it('members who lost access are not told as watchers or authors, and their old notifications drop out', async () => {
    const pcc = await member('Poppy Commissioner', { organisationId: opcc });
    const leaver = await member('Lee Leaver', { organisationId: opcc });
    const { thread: th } = await thread(leaver, 'I started this while at the OPCC.', pccOnly);
    const before = await reply(pcc, th.id, 'A reply to you.', 1);
    expect(await toldAbout(before.id)).toEqual({ [leaver.id]: 'reply' });
    expect(await countUnreadNotifications(db, leaver.user)).toBe(1);
    // Lee moves to a charity: the restricted category is closed to them now.
    await write(db, (tx) => tx.update(users).set({ organisationId: charity }).where(eq(users.id, leaver.id)));
    const moved = await db.select().from(users).where(eq(users.id, leaver.id)).get();
    expect(await countUnreadNotifications(db, moved!)).toBe(0);
    expect((await listNotifications(db, await forumActor(db, leaver.id))).items).toEqual([]);
    const after = await reply(pcc, th.id, 'Another reply to you.', 1);
    expect(await toldAbout(after.id)).toEqual({});
  });

  it('members cannot watch or mute a thread or category they cannot see', async () => {
    const pcc = await member('Priya Commissioner', { organisationId: opcc });
    const outsider = await member('Ossie Outsider');
    const { thread: th } = await thread(pcc, 'Restricted.', pccOnly);
    expect(await setThreadLevel(db, outsider, th.id, 'watching')).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await setCategoryLevel(db, outsider, pccOnly.id, 'watching')).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await setThreadLevel(db, outsider, 999_999, 'watching')).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('suspended members are not told', async () => {
    const author = await member('Sid Sender');
    await member('Sue Spended', { status: 'suspended' });
    const { postId } = await thread(author, 'Hello @Sue Spended.');
    expect(await toldAbout(postId)).toEqual({});
  });

  it('in a hidden thread only moderators are told', async () => {
    const moderator = await member('Hal Hider', { role: 'moderator' });
    const watcher = await member('Wyn Watcher');
    const { thread: th } = await thread(watcher, 'This will be hidden.');
    await setThreadLevel(db, moderator, th.id, 'watching');
    await write(db, (tx) => tx.update(threads).set({ hiddenAt: new Date() }).where(eq(threads.id, th.id)));
    const other = await member('Mo Two', { role: 'moderator' });
    const post = await reply(other, th.id, 'Moderators talking, @Wyn Watcher.');
    expect(await toldAbout(post.id)).toEqual({ [moderator.id]: 'watching' });
  });

  it('the SQL visibility rule agrees with canSeeCategory for every role, organisation type and restriction', async () => {
    const restrictions: Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'>[] = [
      { allowedRoles: null, allowedOrganisationTypes: null },
      { allowedRoles: [], allowedOrganisationTypes: [] },
      { allowedRoles: null, allowedOrganisationTypes: ['opcc', 'police-force'] },
      { allowedRoles: ['editor'], allowedOrganisationTypes: null },
      { allowedRoles: ['member'], allowedOrganisationTypes: ['cps'] },
    ];
    for (const restriction of restrictions) {
      for (const role of roles) {
        for (const organisationType of organisationTypes) {
          const expected = canSeeCategory({ role, organisationType }, restriction);
          const row = await db.get<{ ok: number }>(sql`select ${canSeeCategorySql({ role, organisationType }, restriction)} as ok`);
          expect(Boolean(row.ok), `${role}/${organisationType} in ${JSON.stringify(restriction)}`).toBe(expected);
        }
      }
    }
  });
});

describe('reading notifications', () => {
  it('lists them newest first with links to the posts, counts the unread, marks one and then all read', async () => {
    const reader = await member('Rita Reader');
    const writer = await member('Will Writer');
    const { thread: th } = await thread(reader, 'My thread.');
    await reply(writer, th.id, 'Reply one.', 1);
    await reply(writer, th.id, 'Hi @Rita Reader.');
    const actor = await forumActor(db, reader.id);
    const list = await listNotifications(db, actor);
    expect(list.unread).toBe(2);
    expect(list.items.map((i) => [i.kind, i.postNumber, i.actorName])).toEqual([
      ['mention', 3, 'Will Writer'],
      ['reply', 2, 'Will Writer'],
    ]);
    expect(list.items[0]!.href).toBe(`/forum/t/${th.id}/${th.slug}#post-3`);
    expect(await countUnreadNotifications(db, reader.user)).toBe(2);

    // Someone else's notification is not theirs to mark.
    expect(await markNotificationRead(db, writer.id, list.items[0]!.id)).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await markNotificationRead(db, reader.id, list.items[0]!.id)).toEqual({ ok: true });
    expect(await markNotificationRead(db, reader.id, list.items[0]!.id)).toEqual({ ok: true });
    expect(await countUnreadNotifications(db, reader.user)).toBe(1);
    expect(await markAllNotificationsRead(db, reader.id)).toBe(1);
    expect(await countUnreadNotifications(db, reader.user)).toBe(0);
    const after = await listNotifications(db, actor);
    expect(after.unread).toBe(0);
    expect(after.items.every((i) => i.readAt instanceof Date)).toBe(true);
  });

  it('a hidden or deleted post drops out of the list and the count (moderators still see hidden ones)', async () => {
    const reader = await member('Hana Hidden', { role: 'member' });
    const moderator = await member('Mona Mod', { role: 'moderator' });
    const writer = await member('Wren Writer');
    const { thread: th } = await thread(writer, 'A thread.');
    const p = await reply(writer, th.id, '@Hana Hidden and @Mona Mod, look.');
    expect(await countUnreadNotifications(db, reader.user)).toBe(1);
    await write(db, (tx) => tx.update(posts).set({ hiddenAt: new Date() }).where(eq(posts.id, p.id)));
    expect(await countUnreadNotifications(db, reader.user)).toBe(0);
    expect((await listNotifications(db, reader)).items).toEqual([]);
    expect(await countUnreadNotifications(db, moderator.user)).toBe(1);
    await write(db, (tx) => tx.update(posts).set({ deletedAt: new Date() }).where(eq(posts.id, p.id)));
    expect(await countUnreadNotifications(db, moderator.user)).toBe(0);
  });

  it('reading a thread up to a post reads the notifications about it and earlier posts', async () => {
    const reader = await member('Tess Thread Reader');
    const writer = await member('Vic Writer');
    const { thread: th } = await thread(reader, 'Mine.');
    await reply(writer, th.id, 'One.', 1);
    await reply(writer, th.id, 'Two, @Tess Thread Reader.');
    await reply(writer, th.id, 'Three.', 1);
    expect(await countUnreadNotifications(db, reader.user)).toBe(3);
    await write(db, (tx) => markThreadNotificationsRead(tx, reader.id, th.id, 3));
    expect(await countUnreadNotifications(db, reader.user)).toBe(1);
  });

  it('pages through many notifications, 30 a page', async () => {
    const reader = await member('Nora Numerous');
    const writers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => member(`Busy Writer ${i}`)));
    const { thread: th } = await thread(reader, 'Busy thread.');
    for (let i = 0; i < 32; i += 1) await reply(writers[i % 8]!, th.id, `Reply ${i}.`, 1);
    const first = await listNotifications(db, reader, 1);
    const second = await listNotifications(db, reader, 2);
    expect([first.total, first.pages, first.items.length, second.items.length]).toEqual([32, 2, 30, 2]);
  });
});

describe('the mention autocomplete', () => {
  it('suggests up to 8 active members who can see the category, by name prefix, not the one typing', async () => {
    const typer = await member('Acorn Typer', { organisationId: opcc });
    for (let i = 1; i <= 9; i += 1) await member(`Acorn Insider ${i}`, { organisationId: opcc });
    await member('Acorn Outsider');
    await member('Acorn Suspended', { organisationId: opcc, status: 'suspended' });
    const moderator = await member('Acorn Moderator', { role: 'moderator' });

    const inRestricted = (await suggestMentionNames(db, typer, pccOnly, 'acorn')).map((s) => s.displayName);
    expect(inRestricted).toHaveLength(8);
    expect(inRestricted).toEqual([...inRestricted].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(inRestricted).not.toContain('Acorn Outsider');
    expect(inRestricted).not.toContain('Acorn Suspended');
    expect(inRestricted).not.toContain('Acorn Typer');

    const moderatorTyping = (await suggestMentionNames(db, moderator, pccOnly, 'Acorn O')).map((s) => s.displayName);
    expect(moderatorTyping).toEqual([]);
    expect((await suggestMentionNames(db, moderator, open, 'Acorn O')).map((s) => s.displayName)).toEqual(['Acorn Outsider']);
    expect((await suggestMentionNames(db, typer, pccOnly, 'Acorn M')).map((s) => s.displayName)).toEqual(['Acorn Moderator']);
  });

  it('takes % and _ literally', async () => {
    const typer = await member('Percy Typer');
    await member('Percent 100%');
    expect(await suggestMentionNames(db, typer, open, '%')).toEqual([]);
    expect(await suggestMentionNames(db, typer, open, '_')).toEqual([]);
    expect(await suggestMentionNames(db, typer, open, 'percent 100%')).toEqual([{ displayName: 'Percent 100%' }]);
  });
});

describe('levels and read state', () => {
  it('the thread level wins over the category level; with neither, normal', () => {
    expect(effectiveLevel(null, null)).toBe('normal');
    expect(effectiveLevel(null, 'watching')).toBe('watching');
    expect(effectiveLevel('muted', 'watching')).toBe('muted');
    expect(effectiveLevel('watching', 'muted')).toBe('watching');
    expect(effectiveLevel('normal', 'watching')).toBe('normal');
  });

  it('the read position only moves forward', async () => {
    const reader = await member('Fay Forward');
    const { thread: th } = await thread(reader, 'Read state.');
    await write(db, (tx) => markRead(tx, reader.id, th.id, 5));
    await write(db, (tx) => markRead(tx, reader.id, th.id, 3));
    const row = await db.select().from(readStates).where(and(eq(readStates.userId, reader.id), eq(readStates.threadId, th.id))).get();
    expect(row!.lastReadPostNumber).toBe(5);
  });
});
