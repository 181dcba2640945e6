import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Real `astro build` runs over fixture content folders: what production leaves out,
 * and how a bad entry stops the build. Builds run one after another (one file, in order).
 */
const root = new URL('../..', import.meta.url).pathname;
// Inside the project: the built server resolves its packages from node_modules above it.
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const work = mkdtempSync(join(root, 'node_modules/.cache/build-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function frontmatter(fields: Record<string, string>) {
  return `---\n${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n')}\n---\n`;
}

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

function guide(title: string, body: string, change: Record<string, string> = {}) {
  return `${frontmatter({ title: JSON.stringify(title), ...guideFields, ...change })}\n${body}\n`;
}

// Vitest puts its own import.meta.env (DEV=1, MODE=test…) into process.env; a build run
// from here must see the environment a deployer's shell would give it.
const buildEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(DEV|PROD|MODE|SSR|BASE_URL|NODE_ENV|VITEST.*|TEST)$/.test(k)),
);

function build(name: string, guides: Record<string, string>) {
  const content = join(work, name, 'content');
  for (const folder of ['guides', 'awareness', 'news']) mkdirSync(join(content, folder), { recursive: true });
  for (const [file, text] of Object.entries(guides)) writeFileSync(join(content, 'guides', file), text);
  const out = join(work, name, 'dist');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...buildEnv, CONTENT_DIR: content, BUILD_OUT_DIR: out, BUILD_CACHE_DIR: join(work, name, 'cache') },
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}`, client: join(out, 'client') };
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
