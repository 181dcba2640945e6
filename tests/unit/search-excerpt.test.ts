import { describe, expect, it } from 'vitest';
import { excerptParts } from '#lib/content/pagefind-client.ts';

describe('search result excerpts', () => {
  it('splits marked matches from plain text', () => {
    expect(excerptParts('refer into the <mark>National</mark> <mark>Referral</mark> Mechanism')).toEqual([
      { text: 'refer into the ', marked: false },
      { text: 'National', marked: true },
      { text: ' ', marked: false },
      { text: 'Referral', marked: true },
      { text: ' Mechanism', marked: false },
    ]);
  });

  it('decodes escaped text so React shows it as text, never as markup', () => {
    const parts = excerptParts('&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>R&amp;D</mark>');
    expect(parts).toEqual([
      { text: '<script>alert(1)</script> & ', marked: false },
      { text: 'R&D', marked: true },
    ]);
  });
});
