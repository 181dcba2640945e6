import { fleschKincaid } from 'flesch-kincaid';
import { syllable } from 'syllable';
import { mdxToText } from './members-index.ts';
import type { CollectionName } from './taxonomy.ts';

/**
 * How hard an entry is to read, as a reading age in years. The formula is the
 * Flesch-Kincaid grade level (Kincaid et al., 1975):
 *
 *   grade = 0.39 × (words ÷ sentences) + 11.8 × (syllables ÷ words) − 15.59
 *
 * which gives a US school grade; a UK reading age is about the grade plus 5. Syllables
 * are counted by the `syllable` package and the formula is applied by `flesch-kincaid`
 * (both by Titus Wormer). It is a rough guide: it sees long words and long sentences,
 * not whether the text is clear, so the content tests only warn.
 */
export interface Readability {
  words: number;
  sentences: number;
  syllables: number;
  /** Flesch-Kincaid grade level. */
  grade: number;
  /** About the age of a reader who can read the text comfortably: grade + 5. */
  readingAge: number;
}

/**
 * The reading age each collection aims at, at most. Awareness pages are for everyone, so
 * they aim at GOV.UK's reading age of 9; guides and news are for practitioners, at most 12.
 */
export const readingAgeAims: Record<CollectionName, number> = { awareness: 9, guides: 12, news: 12 };

/** The aim for one entry: awareness strategies are written for the partners who run campaigns, so they aim as guides do. */
export function readingAgeAim(collection: CollectionName, data: object): number {
  return collection === 'awareness' && 'strategy' in data && data.strategy ? readingAgeAims.guides : readingAgeAims[collection];
}

const WORD = /[A-Za-z][A-Za-z'’-]*/g;

/** The readability of an MDX body: headings, list items and table rows count as sentences of their own. */
export function readability(mdxBody: string): Readability {
  const sentences = mdxToText(mdxBody)
    .split(/\n|(?<=[.!?])\s+/)
    .map((s) => s.match(WORD) ?? [])
    .filter((words) => words.length > 0);
  const words = sentences.flat();
  const syllables = words.reduce((n, w) => n + syllable(w), 0);
  if (words.length === 0) return { words: 0, sentences: 0, syllables: 0, grade: 0, readingAge: 0 };
  const grade = fleschKincaid({ sentence: sentences.length, word: words.length, syllable: syllables });
  return { words: words.length, sentences: sentences.length, syllables, grade, readingAge: grade + 5 };
}
