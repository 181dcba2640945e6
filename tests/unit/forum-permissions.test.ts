/**
 * The forum's permission rules, one predicate at a time (src/lib/forum/permissions.ts).
 * Lib functions and the pages that decide what to show both ask these, so what is
 * pinned here holds for the action and for the view alike.
 */
import { describe, expect, it } from 'vitest';
import type { Category, Post, Thread } from '#db/schema.ts';
import type { ForumActor } from '#lib/forum/access.ts';
import {
  canChangePost,
  canModerate,
  canModeratePost,
  canQuotePost,
  canReadPostText,
  canReply,
  canReportPost,
  canSeeCategory,
  canSeeThread,
  canStartThread,
  postChangeRefusal,
  postDeleteRefusal,
  visibleThreadsSql,
} from '#lib/forum/permissions.ts';

const actor = (over: Partial<ForumActor> = {}): ForumActor => ({ id: 1, displayName: 'Sam', role: 'member', organisationType: 'charity', ...over });
const member = actor();
const moderator = actor({ id: 2, role: 'moderator' });
const editor = actor({ id: 3, role: 'editor' });
const admin = actor({ id: 4, role: 'admin' });
const pcc = actor({ id: 5, organisationType: 'opcc' });

const open: Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'> = { allowedRoles: null, allowedOrganisationTypes: null };
const pccsOnly: Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'> = { allowedRoles: null, allowedOrganisationTypes: ['opcc', 'police-force'] };
const editorsOnly: Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'> = { allowedRoles: ['editor'], allowedOrganisationTypes: [] };

const thread = (over: Partial<Thread> = {}) => ({ hiddenAt: null, locked: false, ...over }) as Pick<Thread, 'hiddenAt' | 'locked'>;
const post = (over: Partial<Post> = {}) => ({ authorId: member.id, hiddenAt: null, deletedAt: null, ...over }) as Pick<Post, 'authorId' | 'hiddenAt' | 'deletedAt'>;
const earlier = new Date('2026-01-01T00:00:00Z');

describe('canModerate', () => {
  it('is moderators, editors and administrators, not members', () => {
    expect([member, moderator, editor, admin].map(canModerate)).toEqual([false, true, true, true]);
  });
});

describe('canSeeCategory', () => {
  it('opens an unrestricted category to every member', () => {
    expect(canSeeCategory(member, open)).toBe(true);
    expect(canSeeCategory(member, { allowedRoles: [], allowedOrganisationTypes: [] })).toBe(true);
  });

  it('opens a restricted category to the organisation types or roles it lists, and to moderators', () => {
    expect(canSeeCategory(pcc, pccsOnly)).toBe(true);
    expect(canSeeCategory(member, pccsOnly)).toBe(false);
    expect(canSeeCategory(moderator, pccsOnly)).toBe(true);
    expect(canSeeCategory(editor, editorsOnly)).toBe(true);
    expect(canSeeCategory(pcc, editorsOnly)).toBe(false);
  });
});

describe('canSeeThread', () => {
  it('follows its category, and hides a hidden thread from all but moderators', () => {
    expect(canSeeThread(member, thread(), open)).toBe(true);
    expect(canSeeThread(member, thread(), pccsOnly)).toBe(false);
    expect(canSeeThread(member, thread({ hiddenAt: earlier }), open)).toBe(false);
    expect(canSeeThread(moderator, thread({ hiddenAt: earlier }), pccsOnly)).toBe(true);
  });
});

describe('visibleThreadsSql', () => {
  it('filters hidden threads out for members and adds no condition for moderators', () => {
    expect(visibleThreadsSql(member)).toBeDefined();
    expect(visibleThreadsSql(moderator)).toBeUndefined();
  });
});

describe('canStartThread', () => {
  it('is any category the member can see', () => {
    expect(canStartThread(member, open)).toBe(true);
    expect(canStartThread(member, pccsOnly)).toBe(false);
    expect(canStartThread(pcc, pccsOnly)).toBe(true);
  });
});

describe('canReply', () => {
  it('refuses a locked thread to members, not to moderators', () => {
    expect(canReply(member, thread())).toBe(true);
    expect(canReply(member, thread({ locked: true }))).toBe(false);
    expect(canReply(moderator, thread({ locked: true }))).toBe(true);
  });
});

describe('canReadPostText', () => {
  it('keeps hidden and deleted posts for moderators', () => {
    expect(canReadPostText(member, post())).toBe(true);
    expect(canReadPostText(member, post({ hiddenAt: earlier }))).toBe(false);
    expect(canReadPostText(member, post({ deletedAt: earlier }))).toBe(false);
    expect(canReadPostText(moderator, post({ hiddenAt: earlier }))).toBe(true);
    expect(canReadPostText(moderator, post({ deletedAt: earlier }))).toBe(true);
  });
});

describe('canModeratePost', () => {
  it('lets moderators hide and restore posts, except one its author deleted', () => {
    expect(canModeratePost(moderator, post())).toBe(true);
    expect(canModeratePost(moderator, post({ hiddenAt: earlier }))).toBe(true);
    expect(canModeratePost(moderator, post({ deletedAt: earlier }))).toBe(false);
    expect(canModeratePost(member, post())).toBe(false);
  });
});

describe('canQuotePost', () => {
  it('needs the text to be readable and the post not deleted, even for moderators', () => {
    expect(canQuotePost(member, post())).toBe(true);
    expect(canQuotePost(member, post({ hiddenAt: earlier }))).toBe(false);
    expect(canQuotePost(moderator, post({ hiddenAt: earlier }))).toBe(true);
    expect(canQuotePost(moderator, post({ deletedAt: earlier }))).toBe(false);
  });
});

describe('postChangeRefusal and canChangePost', () => {
  it('lets an author change their own post, and moderators any post', () => {
    expect(postChangeRefusal(member, post(), thread(), 'edit')).toBeNull();
    expect(postChangeRefusal(moderator, post(), thread({ locked: true }), 'edit')).toBeNull();
    expect(postChangeRefusal(moderator, post({ hiddenAt: earlier }), thread(), 'edit')).toBeNull();
  });

  it('refuses someone else’s post, a hidden one and one in a locked thread, saying why', () => {
    expect(postChangeRefusal(pcc, post(), thread(), 'delete')).toMatchObject({ reason: 'forbidden', message: 'You can only delete your own posts.' });
    expect(postChangeRefusal(member, post({ hiddenAt: earlier }), thread(), 'edit')).toMatchObject({ reason: 'forbidden' });
    expect(postChangeRefusal(member, post(), thread({ locked: true }), 'edit')).toMatchObject({ reason: 'locked' });
  });

  it('lets nobody change a deleted post, moderators included (the thread page shows no controls for it)', () => {
    expect(postChangeRefusal(member, post({ deletedAt: earlier }), thread(), 'edit')).toMatchObject({ reason: 'forbidden' });
    expect(postChangeRefusal(moderator, post({ deletedAt: earlier }), thread(), 'edit')).toMatchObject({ reason: 'forbidden' });
    expect(canChangePost(moderator, post({ deletedAt: earlier }), thread())).toBe(false);
  });

  it('canChangePost says yes exactly when there is no refusal', () => {
    for (const who of [member, pcc, moderator]) {
      for (const p of [post(), post({ hiddenAt: earlier }), post({ deletedAt: earlier })]) {
        for (const t of [thread(), thread({ locked: true })]) {
          expect(canChangePost(who, p, t)).toBe(postChangeRefusal(who, p, t, 'edit') === null);
        }
      }
    }
  });
});

describe('postDeleteRefusal', () => {
  it('lets the author or a moderator delete a deleted post again (a no-op), not anyone else', () => {
    expect(postDeleteRefusal(member, post({ deletedAt: earlier }), thread())).toBeNull();
    expect(postDeleteRefusal(moderator, post({ deletedAt: earlier }), thread())).toBeNull();
    expect(postDeleteRefusal(pcc, post({ deletedAt: earlier }), thread())).toMatchObject({ reason: 'forbidden' });
    expect(postDeleteRefusal(pcc, post(), thread())).toMatchObject({ reason: 'forbidden' });
  });
});

describe('canReportPost', () => {
  it('is someone else’s post whose text they can read', () => {
    expect(canReportPost(pcc, post())).toBe(true);
    expect(canReportPost(member, post())).toBe(false);
    expect(canReportPost(pcc, post({ hiddenAt: earlier }))).toBe(false);
    expect(canReportPost(moderator, post({ hiddenAt: earlier }))).toBe(true);
  });
});
