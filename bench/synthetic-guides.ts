/**
 * 1,000 synthetic guides for the benchmarks (bench/build.ts, bench/publish.ts): valid
 * frontmatter, 400–800 words each from a seeded PRNG, so every run has the same text.
 * Generated benchmark text, not content: nothing here describes real people or events.
 */
import { regionKeys, topicKeys } from '#lib/content/taxonomy.ts';
import { capital, prng, word, words, type Random } from './synthetic-text.ts';

/** In ~1% of guides: a query with a realistic handful of results. */
export const RARE_WORD = 'kittiwake';
/** Drawn often from the vocabulary: a query with hundreds of results. */
export const COMMON_WORD = 'referral';

if (words.includes(RARE_WORD) || !words.includes(COMMON_WORD)) throw new Error('Check RARE_WORD and COMMON_WORD against the vocabulary.');

function sentence(r: Random, extra?: string): string {
  const parts = Array.from({ length: r.int(8, 20) }, () => word(r));
  if (extra) parts.splice(r.int(1, parts.length - 1), 0, extra);
  if (parts.length > 12 && r.next() < 0.4) parts[r.int(4, parts.length - 4)] += ',';
  return `${capital(parts.join(' '))}.`;
}

const domainWords = words.slice(words.indexOf('victim'));
const owners = [
  'National Modern Slavery Network',
  'North East Anti-Slavery Partnership',
  'West Midlands Anti-Slavery Network',
  'London Modern Slavery Partnership Board',
  'Wales Anti-Slavery Leadership Group',
  'South West Anti-Slavery Partnership',
];

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

export interface Guide {
  file: string;
  text: string;
  words: number;
  rare: boolean;
  common: boolean;
}

export function guide(i: number): Guide {
  const r = prng(0x5eed + i);
  const rare = i % 100 === 37; // 10 guides out of 1,000
  const title = `${capital(r.some(domainWords, 3, 6).join(' '))} (guide ${i + 1})`;
  let summary = Array.from({ length: 2 }, () => sentence(r)).join(' ');
  if (summary.length > 300) summary = `${summary.slice(0, 296).replace(/\s+\S*$/, '')}.`;

  const published = Date.UTC(2015, 0, 1) + r.int(0, 4000) * DAY; // 2015-01-01 to 2025-12
  const reviewed = published + r.int(0, 300) * DAY;
  const fields: Record<string, string> = {
    title: JSON.stringify(title),
    summary: JSON.stringify(summary),
    published: isoDay(published),
    audience: 'public',
    topics: `[${r.some(topicKeys, 1, 3).join(', ')}]`,
    regions: `[${r.some(regionKeys, 1, 2).join(', ')}]`,
    owner: JSON.stringify(r.pick(owners)),
    reviewed: isoDay(reviewed),
    reviewDue: isoDay(reviewed + 365 * DAY),
    version: JSON.stringify(`${r.int(1, 3)}.${r.int(0, 9)}`),
  };

  // 400-800 words in 3-5 sections of paragraphs (and now and then a short list).
  const target = r.int(400, 800);
  const sections = r.int(3, 5);
  const rareAt = rare ? r.int(0, sections - 1) : -1;
  const blocks: string[] = [];
  let count = 0;
  for (let s = 0; s < sections; s++) {
    const heading = capital(r.some(domainWords, 2, 5).join(' '));
    blocks.push(`## ${heading}`);
    count += heading.split(' ').length;
    const budget = Math.round((target * (s + 1)) / sections);
    let first = true;
    while (count < budget) {
      if (!first && r.next() < 0.15) {
        const items = Array.from({ length: r.int(3, 5) }, () => `- ${Array.from({ length: r.int(3, 8) }, () => word(r)).join(' ')}`);
        blocks.push(items.join('\n'));
        count += items.join(' ').split(' ').length - items.length;
      }
      const sentences = Array.from({ length: r.int(3, 6) }, (_, k) => sentence(r, s === rareAt && first && k === 1 ? RARE_WORD : undefined));
      const paragraph = sentences.join(' ');
      blocks.push(paragraph);
      count += paragraph.split(' ').length;
      first = false;
    }
  }
  const body = blocks.join('\n\n');
  const frontmatter = Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n');
  return {
    file: `bench-guide-${String(i + 1).padStart(4, '0')}.mdx`,
    text: `---\n${frontmatter}\n---\n\n${body}\n`,
    words: count,
    rare,
    common: new RegExp(`\\b${COMMON_WORD}\\b`, 'i').test(body),
  };
}
