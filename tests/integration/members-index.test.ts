import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A real `astro build` over fixture content: the members' Pagefind index is written to
 * dist/private/pagefind-members with released members entries only, and nothing of
 * them reaches dist/client.
 */
const root = new URL('../..', import.meta.url).pathname;
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const work = mkdtempSync(join(root, 'node_modules/.cache/members-index-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const buildEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(DEV|PROD|MODE|SSR|BASE_URL|NODE_ENV|VITEST.*|TEST)$/.test(k)),
);

function entry(title: string, body: string, fields: Record<string, string>) {
  const all = {
    title: JSON.stringify(title),
    summary: '"A fixture entry used by the members index build test."',
    published: '2020-01-01',
    audience: 'members',
    topics: '[multi-agency]',
    regions: '[national]',
    owner: '"Test owner"',
    ...fields,
  };
  return `---\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\n')}\n---\n\n${body}\n`;
}
const guideFields = { reviewed: '2020-01-01', reviewDue: '2099-01-01', version: '"1.0"' };

function build(name: string, files: Record<string, string>) {
  const content = join(work, name, 'content');
  for (const folder of ['guides', 'awareness', 'news']) mkdirSync(join(content, folder), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(content, file), text);
  const out = join(work, name, 'dist');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...buildEnv, CONTENT_DIR: content, BUILD_OUT_DIR: out, BUILD_CACHE_DIR: join(work, name, 'cache') },
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}`, out };
}

function allText(dir: string): string {
  return readdirSync(dir)
    .map((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return allText(path);
      const bytes = readFileSync(path);
      return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
    })
    .join('\n');
}

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
