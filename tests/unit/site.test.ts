import { describe, expect, it } from 'vitest';
import { TITLE_LIMIT, documentTitle, siteName } from '#lib/site.ts';

describe('documentTitle', () => {
  it('adds the site name when the whole title fits', () => {
    expect(documentTitle('Guides')).toBe(`Guides – ${siteName}`);
  });

  it('is the site name alone on the home page', () => {
    expect(documentTitle(siteName)).toBe(siteName);
  });

  it('leaves the site name off a title that would otherwise run past the limit', () => {
    const title = 'Referring a potential victim into the NRM';
    expect(`${title} – ${siteName}`.length).toBeGreaterThan(TITLE_LIMIT);
    expect(documentTitle(title)).toBe(title);
  });

  it('cuts a title too long on its own at a word, and says so with an ellipsis', () => {
    const title = 'History of post 12 in Support for a young man found at a car wash in the north of the county (demo)';
    const made = documentTitle(title);
    expect(made).toBe('History of post 12 in Support for a young man found at a car…');
    expect(made.length).toBeLessThanOrEqual(TITLE_LIMIT);
  });

  it('cuts a title without spaces too', () => {
    expect(documentTitle('x'.repeat(200))).toBe(`${'x'.repeat(TITLE_LIMIT - 1)}…`);
  });

  it('never makes a title longer than the limit', () => {
    for (let n = 1; n < 200; n++) {
      const title = Array.from({ length: n }, (_, i) => (i % 7 === 6 ? ' ' : 'x')).join('');
      expect(documentTitle(title).length, title).toBeLessThanOrEqual(TITLE_LIMIT);
    }
  });
});
