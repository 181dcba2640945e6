import { describe, expect, it } from 'vitest';
import { NEXT_MAX, safeNext, signInPath } from '#lib/auth/next-url.ts';

describe('where to go after signing in', () => {
  it.each([
    ['a protocol-relative URL', '//evil.example'],
    ['an absolute URL', 'https://evil.example'],
    ['a backslash that browsers read as a slash', '/\\evil.example'],
    ['a javascript: URL', 'javascript:alert(document.cookie)'],
    ['a tab the URL parser drops', '/\t/evil.example'],
    ['a dot segment that collapses into //', '/.//evil.example'],
    ['a dot-dot segment that collapses into //', '/../..//evil.example'],
    ['a segment and dot-dot that collapse into //', '/guides/..//evil.example'],
    ['dot-dot and backslashes', '/..\\\\evil.example'],
    ['a relative path', 'members'],
    ['nothing', ''],
  ])('refuses %s and goes to the members’ home instead', (_name, next) => {
    expect(safeNext(next)).toBe('/members');
  });

  it('refuses a missing value', () => {
    expect(safeNext(null)).toBe('/members');
    expect(safeNext(undefined, '/')).toBe('/');
  });

  it('keeps a path on this site with its query', () => {
    expect(safeNext('/members/guides?x=1')).toBe('/members/guides?x=1');
    expect(safeNext('/members/threads/42')).toBe('/members/threads/42');
  });
});

describe('the way to sign in and back', () => {
  it('comes back to the page and its query', () => {
    expect(signInPath('/forum/search', '?q=a b')).toBe('/login?next=%2Fforum%2Fsearch%3Fq%3Da%20b');
  });

  it('never sends a `next` longer than the sign-in form accepts (found by fuzzing: the redirect outgrew what clients read)', () => {
    expect(signInPath('/forum/search', `?q=${'%00'.repeat(5_000)}`)).toBe('/login?next=%2Fforum%2Fsearch');
    expect(signInPath(`/forum/t/1/${'%00'.repeat(5_000)}`)).toBe('/login');
    for (const url of [signInPath('/x', `?q=${'a'.repeat(NEXT_MAX)}`), signInPath('/x', `?q=${'€'.repeat(700)}`)]) {
      expect(decodeURIComponent(new URL(url, 'https://portal.example').searchParams.get('next') ?? '').length).toBeLessThanOrEqual(NEXT_MAX);
    }
  });
});
