import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isMembersOnly, isPublishedToMembers } from '#lib/content/audience.ts';
import { entryUrl } from '#lib/content/urls.ts';
import { entryIdFromPath, mdxToText, membersIndexRecord, membersIndexRecords, type SourceFile } from '#lib/content/members-index.ts';
import { findIndexFile, indexContentType, membersIndexDir, resolveIndexPath } from '#lib/content/members-index-files.ts';

const now = new Date('2026-11-29T12:00:00Z');
const production = { now, production: true };

function guide(fields: Record<string, string>, body: string): string {
  const all = {
    title: '"A members fixture guide"',
    summary: '"A fixture guide used by the members index tests."',
    published: '2025-01-01',
    audience: 'members',
    topics: '[multi-agency, nrm]',
    regions: '[north-west]',
    owner: '"Test owner"',
    reviewed: '2025-01-01',
    reviewDue: '2099-01-01',
    version: '"1.0"',
    ...fields,
  };
  return `---\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\n')}\n---\n\n${body}\n`;
}

const file = (source: string, relPath = 'fixture.mdx'): SourceFile => ({ collection: 'guides', relPath, source });

describe('the members side of the audience rule', () => {
  const entry = { draft: false, published: new Date('2026-11-01'), audience: 'members' as const };
  it('releases a finished members entry to members only', () => {
    expect(isMembersOnly(entry)).toBe(true);
    expect(isPublishedToMembers(entry, production)).toBe(true);
    expect(isPublishedToMembers({ ...entry, audience: 'public' }, production)).toBe(false);
  });
  it('holds back drafts and future entries in production', () => {
    expect(isPublishedToMembers({ ...entry, draft: true }, production)).toBe(false);
    expect(isPublishedToMembers({ ...entry, published: new Date('2026-12-01') }, production)).toBe(false);
    expect(isPublishedToMembers({ ...entry, draft: true }, { now, production: false })).toBe(true);
  });
});

describe('entry URLs', () => {
  it('puts members entries under /members and leaves public ones where they were', () => {
    expect(entryUrl({ collection: 'guides', id: 'a', data: { audience: 'members' } })).toBe('/members/guides/a');
    expect(entryUrl({ collection: 'guides', id: 'a', data: { audience: 'public' } })).toBe('/guides/a');
    expect(entryUrl({ collection: 'news', id: 'b' })).toBe('/news/b');
  });
});

describe('entry ids, as the glob loader makes them', () => {
  it('slugs each path segment and drops the extension', () => {
    expect(entryIdFromPath('debriefing-a-multi-agency-exercise.mdx')).toBe('debriefing-a-multi-agency-exercise');
    expect(entryIdFromPath('Some Guide.mdx')).toBe('some-guide');
    expect(entryIdFromPath('2025/Annex (v2).mdx')).toBe('2025/annex-v2');
    expect(entryIdFromPath('topic/index.mdx')).toBe('topic');
  });
  it('prefers a frontmatter slug', () => {
    expect(entryIdFromPath('whatever.mdx', 'chosen-slug')).toBe('chosen-slug');
  });
});

describe('MDX to search text', () => {
  it('keeps the words and drops the syntax', () => {
    const text = mdxToText(
      [
        "import Callout from '../../src/components/Callout.astro';",
        '',
        '## Plan the exercise',
        '',
        '### Set objectives ###',
        '',
        'Agree **clear** objectives with _partners_ and see [the NRM guide](/guides/nrm) or <https://example.org>.',
        '',
        '- **Invitations:** sent early',
        '1. Second `step`',
        '',
        '> A quoted line',
        '',
        '<Callout type="note">Inside a component</Callout>',
        '{/* an MDX comment */}',
        '<!-- an HTML comment -->',
        '',
        '| Stage | When |',
        '| --- | --- |',
        '| Hot debrief | On the day |',
        '',
        '![A diagram](/img.png)',
        'Tom &amp; Jerry\\*',
      ].join('\n'),
    );
    expect(text).toBe(
      [
        'Plan the exercise.',
        'Set objectives.',
        'Agree clear objectives with partners and see the NRM guide or https://example.org.',
        'Invitations: sent early',
        'Second step',
        'A quoted line',
        'Inside a component',
        'Stage When',
        'Hot debrief On the day',
        'A diagram',
        'Tom & Jerry*',
      ].join('\n'),
    );
  });
  it('leaves snake_case and arithmetic alone', () => {
    expect(mdxToText('a snake_case_name and 2 * 3 * 4')).toBe('a snake_case_name and 2 * 3 * 4');
  });
});

describe('members index records', () => {
  it('makes one record per released members entry, with meta and filters like the public index', () => {
    const record = membersIndexRecord(file(guide({}, 'The curlew sentence.\n\n## Annex\n\nTimings.'), 'curlews.mdx'), production);
    expect(record).toEqual({
      url: '/members/guides/curlews',
      content: 'A members fixture guide.\nA fixture guide used by the members index tests.\nThe curlew sentence.\nAnnex.\nTimings.',
      language: 'en',
      meta: { title: 'A members fixture guide', type: 'Guide', source: 'Members only' },
      filters: {
        type: ['Guide'],
        topic: ['Multi-agency working', 'National Referral Mechanism'],
        region: ['North West'],
        source: ['Members only'],
      },
    });
  });

  it('labels news by kind', () => {
    const news = `---\ntitle: "Members news fixture"\nsummary: "A news fixture used by the members index tests."\npublished: 2025-01-01\naudience: members\ntopics: [network-news]\nregions: [national]\nowner: "Test owner"\nkind: workshop-report\n---\nBody.\n`;
    const record = membersIndexRecord({ collection: 'news', relPath: 'n.mdx', source: news }, production);
    expect(record?.meta.type).toBe('Workshop report');
    expect(record?.filters.type).toEqual(['News']);
  });

  it('leaves out public entries, drafts and future entries', () => {
    const records = membersIndexRecords(
      [
        file(guide({}, 'Released.'), 'released.mdx'),
        file(guide({ audience: 'public' }, 'Public.'), 'public.mdx'),
        file(guide({ draft: 'true' }, 'Draft.'), 'draft.mdx'),
        file(guide({ published: '2999-01-01' }, 'Future.'), 'future.mdx'),
      ],
      production,
    );
    expect(records.map((r) => r.url)).toEqual(['/members/guides/released']);
  });

  it('refuses frontmatter the collection would refuse', () => {
    expect(() => membersIndexRecord(file(guide({ topics: '[cooking]' }, 'Body.'), 'bad.mdx'), production)).toThrow(/guides\/bad\.mdx.*topics/s);
  });
});

describe('serving the members bundle', () => {
  const parent = mkdtempSync(join(tmpdir(), 'members-bundle-'));
  const root = join(parent, 'pagefind-members');
  mkdirSync(join(root, 'fragment'), { recursive: true });
  writeFileSync(join(root, 'pagefind.js'), 'export {}');
  writeFileSync(join(root, 'fragment', 'en_abc.pf_fragment'), 'x');
  writeFileSync(join(parent, 'secret.txt'), 'secret');
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('finds the files Pagefind writes', () => {
    expect(findIndexFile(root, 'pagefind.js')).toBe(join(root, 'pagefind.js'));
    expect(findIndexFile(root, 'fragment/en_abc.pf_fragment')).toBe(join(root, 'fragment', 'en_abc.pf_fragment'));
    expect(findIndexFile(root, 'missing.js')).toBeNull();
    expect(findIndexFile(root, 'fragment')).toBeNull();
  });

  it('refuses every path that leaves the folder or that Pagefind could not have written', () => {
    for (const path of [
      undefined,
      '',
      '../secret.txt',
      '..%2Fsecret.txt',
      '..%252Fsecret.txt',
      '%2e%2e/secret.txt',
      'fragment/../../secret.txt',
      '..\\secret.txt',
      '..%5Csecret.txt',
      '/etc/passwd',
      '%2Fetc%2Fpasswd',
      'fragment//en_abc.pf_fragment',
      '.hidden',
      'pagefind.js%00',
      'pagefind.js\0',
      '%E0%A4%A',
    ]) {
      expect(resolveIndexPath(root, path), String(path)).toBeNull();
    }
  });

  it('serves scripts as JavaScript and everything else as bytes', () => {
    expect(indexContentType('/x/pagefind.js')).toMatch(/^text\/javascript/);
    expect(indexContentType('/x/pagefind-worker.js')).toMatch(/^text\/javascript/);
    expect(indexContentType('/x/wasm.en.pagefind')).toBe('application/octet-stream');
    expect(indexContentType('/x/pagefind-entry.json')).toBe('application/octet-stream');
  });

  it('finds the bundle beside the server build, or where MEMBERS_INDEX_DIR says', () => {
    const dist = mkdtempSync(join(tmpdir(), 'members-dist-'));
    mkdirSync(join(dist, 'server', 'chunks'), { recursive: true });
    writeFileSync(join(dist, 'server', 'entry.mjs'), '');
    const chunk = pathToFileURL(join(dist, 'server', 'chunks', 'route.mjs')).href;
    expect(membersIndexDir({}, chunk)).toBe(join(dist, 'private', 'pagefind-members'));
    expect(membersIndexDir({ MEMBERS_INDEX_DIR: '/srv/members-index' }, chunk)).toBe('/srv/members-index');
    rmSync(dist, { recursive: true, force: true });
  });
});
