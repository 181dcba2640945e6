import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allText, fixtureBuilds, mdx } from './fixture-build.ts';

/**
 * A real `astro build` over fixture content: the members' Pagefind index is written to
 * dist/private/pagefind-members with released members entries only, and nothing of
 * them reaches dist/client.
 */
const builds = fixtureBuilds('members-index-test');
afterAll(builds.cleanup);

function entry(title: string, body: string, fields: Record<string, string>) {
  return mdx(
    {
      title: JSON.stringify(title),
      summary: '"A fixture entry used by the members index build test."',
      published: '2020-01-01',
      audience: 'members',
      topics: '[multi-agency]',
      regions: '[national]',
      owner: '"Test owner"',
      ...fields,
    },
    body,
  );
}
const guideFields = { reviewed: '2020-01-01', reviewDue: '2099-01-01', version: '"1.0"' };
const build = builds.build;

describe('the members index of a production build', () => {
  const result = build('members', {
    'guides/released.mdx': entry('Released members guide', 'The members sentence about curlews.', guideFields),
    'guides/draft.mdx': entry('Draft members guide', 'The draft sentence about herons.', { ...guideFields, draft: 'true' }),
    'guides/future.mdx': entry('Future members guide', 'The future sentence about ospreys.', { ...guideFields, published: '2999-01-01' }),
    'guides/public.mdx': entry('Public guide', 'The public sentence about kestrels.', { ...guideFields, audience: 'public' }),
    'news/members-news.mdx': entry('Members workshop report', 'The members sentence about lapwings.', { kind: 'workshop-report' }),
  });
  const index = join(result.out, 'private/pagefind-members');

  it('succeeds', () => {
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain("indexed 2 members' entries");
  });

  it('is written outside dist/client, with the released members entries only', () => {
    expect(existsSync(join(index, 'pagefind.js'))).toBe(true);
    const text = allText(index);
    for (const word of ['curlews', 'lapwings', '/members/guides/released', '/members/news/members-news']) expect(text).toContain(word);
    for (const word of ['herons', 'ospreys', 'kestrels']) expect(text).not.toContain(word);
  });

  it('leaves every members entry out of dist/client, which only counts them', () => {
    const client = allText(join(result.out, 'client'));
    for (const word of ['curlews', 'lapwings', 'herons', 'ospreys', 'Released members guide', 'members-news']) expect(client).not.toContain(word);
    expect(client).toContain('kestrels');
    const guides = readFileSync(join(result.out, 'client/guides/index.html'), 'utf8');
    expect(guides).toContain('Members can also read 1 members-only guide');
    const news = readFileSync(join(result.out, 'client/news/index.html'), 'utf8');
    expect(news).toContain('Members can also read 1 members-only news item');
  });
});

describe('a build without members entries', () => {
  it('still writes an (empty) members bundle, so the members search loads', () => {
    const result = build('no-members', {
      'guides/public.mdx': entry('Public guide', 'The public sentence about kestrels.', { ...guideFields, audience: 'public' }),
    });
    expect(result.status, result.output).toBe(0);
    expect(existsSync(join(result.out, 'private/pagefind-members/pagefind.js'))).toBe(true);
    expect(readFileSync(join(result.out, 'client/guides/index.html'), 'utf8')).not.toContain('members-only');
  });
});
