import { describe, expect, it } from 'vitest';
import { readability, readingAgeAim, readingAgeAims } from '#lib/content/readability.ts';

describe('reading age', () => {
  it('applies the Flesch-Kincaid grade level to the words, sentences and syllables of the text', () => {
    const r = readability('The cat sat on the mat. The dog ran.');
    expect(r).toMatchObject({ words: 9, sentences: 2, syllables: 9 });
    // 0.39 × 4.5 + 11.8 × 1 − 15.59
    expect(r.grade).toBeCloseTo(-2.035, 3);
    expect(r.readingAge).toBeCloseTo(r.grade + 5, 6);
  });

  it('rates long sentences of long words as harder', () => {
    const plain = readability('Call the helpline. It is free. You can call at any time.');
    const dense = readability('Specified public authorities must notify the Secretary of State whenever they have reasonable grounds to believe that an individual may be a victim of exploitation.');
    expect(dense.readingAge).toBeGreaterThan(plain.readingAge + 5);
  });

  it('counts headings and list items as sentences of their own, and ignores link addresses and markup', () => {
    const r = readability('## What to do\n\n- call 999\n- call the [helpline](https://www.modernslaveryhelpline.org/report)\n');
    expect(r.sentences).toBe(3);
    expect(r.words).toBe(7);
  });

  it('aims awareness pages at a reading age of 9 and guides at 12, and strategies (written for partners) as guides', () => {
    expect(readingAgeAims).toMatchObject({ awareness: 9, guides: 12 });
    expect(readingAgeAim('awareness', {})).toBe(9);
    expect(readingAgeAim('awareness', { strategy: { audience: 'public' } })).toBe(12);
  });
});
