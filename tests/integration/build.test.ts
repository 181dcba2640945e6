import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allText, fixtureBuilds, mdx } from './fixture-build.ts';

/**
 * Real `astro build` runs over fixture content folders: what production leaves out,
 * and how a bad entry stops the build. Builds run one after another (one file, in order).
 */
const builds = fixtureBuilds('build-test');
afterAll(builds.cleanup);

const guideFields = {
  summary: 'A fixture guide used by the build tests of the portal.',
  published: '2020-01-01',
  audience: 'public',
  topics: '[nrm]',
  regions: '[national]',
  owner: 'Test owner',
  reviewed: '2020-01-01',
  reviewDue: '2099-01-01',
  version: '"1.0"',
};

const guide = (title: string, body: string, change: Record<string, string> = {}) =>
  mdx({ title: JSON.stringify(title), ...guideFields, ...change }, body);

function build(name: string, guides: Record<string, string>) {
  return builds.build(name, Object.fromEntries(Object.entries(guides).map(([file, text]) => [`guides/${file}`, text])));
}

describe('a production build', () => {
  const result = build('release', {
    'released.mdx': guide('Released fixture guide', 'The released sentence about kestrels.'),
    'draft.mdx': guide('Draft fixture guide', 'The draft sentence about herons.', { draft: 'true' }),
    'future.mdx': guide('Future fixture guide', 'The future sentence about ospreys.', { published: '2999-01-01' }),
    'members.mdx': guide('Members fixture guide', 'The members sentence about curlews.', { audience: 'members' }),
  });

  it('succeeds', () => {
    expect(result.status, result.output).toBe(0);
  });

  it('publishes and indexes the released public entry', () => {
    expect(existsSync(join(result.client, 'guides/released/index.html'))).toBe(true);
    expect(allText(join(result.client, 'pagefind'))).toContain('kestrels');
  });

  it('leaves drafts, future entries and members entries out of the output and the index', () => {
    for (const slug of ['draft', 'future', 'members']) {
      expect(existsSync(join(result.client, 'guides', slug)), slug).toBe(false);
    }
    const everything = allText(result.client);
    for (const word of ['herons', 'ospreys', 'curlews']) expect(everything).not.toContain(word);
  });
});

describe('a build with a bad entry fails and says where', () => {
  it('names the file and the field of bad frontmatter', () => {
    const result = build('bad-frontmatter', {
      'wrong-topic.mdx': guide('Guide with a wrong topic', 'Body.', { topics: '[cooking]' }),
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('wrong-topic.mdx');
    expect(result.output).toMatch(/topics/);
  });

  it('names the file and line of malformed MDX', () => {
    const result = build('bad-mdx', {
      'broken.mdx': guide('Guide with broken MDX', 'First line.\n\nSecond line has a stray { brace.'),
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('broken.mdx');
    expect(result.output).toMatch(/broken\.mdx:1[4-7]:\d+/);
  });
});
