import { describe, expect, it } from 'vitest';
import { safeNext } from '#lib/auth/next-url.ts';

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
