import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allText, fixtureBuilds, mdx } from './fixture-build.ts';

/**
 * Real builds of the resources library and the events calendar over fixture content:
 * where public and members' files and events end up, what the indexes and feeds hold,
 * and how a bad file or event stops the build.
 */
const builds = fixtureBuilds('resources-events-build');
afterAll(builds.cleanup);

const pdf = (marker: string, padding = 0) => Buffer.from(`%PDF-1.7\n% ${marker}\n${'%'.repeat(padding)}\n%%EOF\n`);

const resource = (title: string, file: string, change: Record<string, string> = {}, body = 'About this file.') =>
  mdx(
    {
      title: JSON.stringify(title),
      summary: '"A fixture resource used by the build tests of the portal."',
      file,
      published: '2020-01-01',
      audience: 'public',
      topics: '[nrm]',
      regions: '[national]',
      owner: '"Test owner"',
      ...change,
    },
    body,
  );

const guide = (title: string, resources: string) =>
  mdx(
    {
      title: JSON.stringify(title),
      summary: '"A fixture guide used by the build tests of the portal."',
      published: '2020-01-01',
      audience: 'public',
      topics: '[nrm]',
      regions: '[national]',
      owner: '"Test owner"',
      reviewed: '2020-01-01',
      reviewDue: '2099-01-01',
      version: '"1.0"',
      resources,
    },
    'Guide body.',
  );

const event = (title: string, change: Record<string, string>) =>
  mdx(
    {
      title: JSON.stringify(title),
      summary: '"A fixture event used by the build tests of the portal."',
      location: '"Leeds"',
      organiser: '"Test organiser"',
      published: '2020-01-01',
      audience: 'public',
      topics: '[multi-agency]',
      regions: '[national]',
      owner: '"Test owner"',
      ...change,
    },
    'About this event.',
  );

/** Every path under `dir`, relative. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]));
}

describe('a build with public and members-only resources and events', () => {
  const result = builds.build('library', {
    'resources/public-toolkit.mdx': resource('Public kestrel toolkit', './public-toolkit.pdf', {}, 'The public sentence about kestrels.'),
    'resources/public-toolkit.pdf': pdf('public file', 3000),
    // A file in a folder of its own, and an entry in the folder-per-resource layout.
    'resources/members-pack/index.mdx': resource('Members curlew pack', './curlew-pack.pdf', { audience: 'members' }, 'The members sentence about curlews.'),
    'resources/members-pack/curlew-pack.pdf': pdf('members-only file: plovers'),
    'resources/files/sheet.csv': 'a,b\r\n1,2\r\n',
    'resources/sheet.mdx': resource('Public sheet of terns', './files/sheet.csv', { replaces: 'public-toolkit' }),
    'guides/guide-with-resources.mdx': guide('Guide listing resources', '[public-toolkit, members-pack]'),
    'events/public-meeting.mdx': event('Public meeting about wagtails', { start: '"2017-10-30T15:00"', end: '"2017-10-30T17:00"' }),
    'events/members-meeting.mdx': event('Members meeting about dunlins', { start: '2020-02-13', end: '2020-02-14', audience: 'members' }),
  });

  it('succeeds', () => {
    expect(result.status, result.output).toBe(0);
  });

  it('serves public files as static files beside their pages, byte for byte', () => {
    expect(readFileSync(join(result.client, 'resources/public-toolkit/public-toolkit.pdf'))).toEqual(pdf('public file', 3000));
    expect(readFileSync(join(result.client, 'resources/sheet/sheet.csv'), 'utf8')).toBe('a,b\r\n1,2\r\n');
  });

  it('shows the format and size it measured', () => {
    const page = readFileSync(join(result.client, 'resources/public-toolkit/index.html'), 'utf8');
    expect(page).toContain('Download the file (PDF, 3 KB)');
    expect(readFileSync(join(result.client, 'resources/sheet/index.html'), 'utf8')).toContain('CSV, 10 bytes');
  });

  it('never writes members-only files, pages or words to dist/client or the public index', () => {
    const names = files(result.client);
    expect(names.filter((n) => /curlew|members-pack/.test(n))).toEqual([]);
    const everything = allText(result.client);
    for (const word of ['curlews', 'plovers', 'Members curlew pack']) expect(everything).not.toContain(word);
    // The public listing only says how many there are.
    expect(readFileSync(join(result.client, 'resources/index.html'), 'utf8')).toContain('Members can also download 1 members-only resource');
  });

  it('keeps members-only files outside dist/client for the authenticated route', () => {
    expect(readFileSync(join(result.out, 'private/resources/members-pack/curlew-pack.pdf'))).toEqual(pdf('members-only file: plovers'));
    expect(files(join(result.out, 'private/resources'))).toEqual(['members-pack/curlew-pack.pdf']);
  });

  it('indexes resources in the matching search index, with the Resource type', () => {
    const publicIndex = allText(join(result.client, 'pagefind'));
    expect(publicIndex).toContain('kestrels');
    expect(publicIndex).toContain('Resource');
    const membersIndex = allText(join(result.out, 'private/pagefind-members'));
    expect(membersIndex).toContain('curlews');
    expect(membersIndex).toContain('/members/resources/members-pack');
  });

  it('writes public events and their calendar files, and never a members’ event', () => {
    expect(readFileSync(join(result.client, 'events/public-meeting/index.html'), 'utf8')).toContain('Monday 30 October 2017, 15:00 to 17:00');
    expect(readFileSync(join(result.client, 'events/public-meeting.ics'), 'utf8')).toContain('DTSTART:20171030T150000Z');
    const feed = readFileSync(join(result.client, 'events.ics'), 'utf8');
    expect(feed).toContain('Public meeting about wagtails');
    expect(feed).not.toContain('dunlins');
    expect(files(result.client).filter((n) => n.includes('members-meeting'))).toEqual([]);
    expect(allText(result.client)).not.toContain('dunlins');
    expect(allText(join(result.out, 'private/pagefind-members'))).toContain('dunlins');
  });

  it('lists a guide’s public resources on the public guide, never the members’ one', () => {
    const page = readFileSync(join(result.client, 'guides/guide-with-resources/index.html'), 'utf8');
    expect(page).toContain('Public kestrel toolkit');
    expect(page).not.toContain('curlew');
  });

  it('links a replaced resource to its newer version', () => {
    const older = readFileSync(join(result.client, 'resources/public-toolkit/index.html'), 'utf8');
    expect(older).toMatch(/replaced by <a href="\/resources\/sheet">Public sheet of terns<\/a>/);
  });

  it('measures a replaced file again on the next build, even when its entry did not change', () => {
    const again = builds.build('library', { 'resources/public-toolkit.pdf': pdf('public file, second edition', 40_000) });
    expect(again.status, again.output).toBe(0);
    expect(readFileSync(join(again.client, 'resources/public-toolkit/index.html'), 'utf8')).toContain('Download the file (PDF, 39 KB)');
    expect(readFileSync(join(again.client, 'resources/public-toolkit/public-toolkit.pdf')).length).toBeGreaterThan(40_000);
  });
});

describe('a bad resource or event fails the build and names the file', () => {
  it.each([
    ['a missing file', { 'resources/lost.mdx': resource('Resource with a lost file', './lost.pdf') }, /lost\.mdx: file: "\.\/lost\.pdf" does not exist/],
    ['a format we do not accept', { 'resources/page.mdx': resource('Resource that is a web page', './page.html'), 'resources/page.html': '<html></html>' }, /page\.mdx: file: "page\.html" is not a format/],
    ['a file that is not what its name says', { 'resources/fake.mdx': resource('Resource with a fake PDF', './fake.pdf'), 'resources/fake.pdf': '<html>not a pdf</html>' }, /fake\.mdx: file: "fake\.pdf" is not a PDF file/],
    ['a file over 25 MB', { 'resources/huge.mdx': resource('Resource that is too big', './huge.pdf'), 'resources/huge.pdf': pdf('big', 26 * 1024 * 1024) }, /huge\.mdx: file: "huge\.pdf" is 26 MB; files may be at most 25 MB/],
    ['a size typed by hand', { 'resources/typed.mdx': resource('Resource with a typed size', './typed.pdf', { bytes: '12' }), 'resources/typed.pdf': pdf('typed') }, /typed\.mdx: bytes: is read from the file/],
    ['no file at all', { 'resources/nofile.mdx': mdx({ title: '"Resource without a file"', summary: '"A fixture resource used by the build tests of the portal."', published: '2020-01-01', audience: 'public', topics: '[nrm]', regions: '[national]', owner: '"Test owner"' }, 'Body.') }, /nofile\.mdx: file: is required/],
    ['an event that ends before it starts', { 'events/backwards.mdx': event('Event that ends before it starts', { start: '"2017-10-30T17:00"', end: '"2017-10-30T15:00"' }) }, /backwards[\s\S]*end\*?\*?: must be later than start/],
    ['a report naming an event that does not exist', { 'news/report.mdx': mdx({ title: '"Report of a lost event"', summary: '"A fixture report used by the build tests of the portal."', published: '2020-01-01', audience: 'public', topics: '[nrm]', regions: '[national]', owner: '"Test owner"', kind: 'workshop-report', event: 'no-such-event' }, 'Body.') }, /news\/report\.mdx: event: there is no entry "no-such-event"/],
    ['a guide naming a resource that does not exist', { 'guides/dangling.mdx': guide('Guide with a dangling resource', '[no-such-resource]') }, /guides\/dangling\.mdx: resources\.0: there is no entry "no-such-resource"/],
  ])('%s', (_what, content, message) => {
    const result = builds.build(`bad-${Object.keys(content)[0]!.replace(/\W/g, '-')}`, content);
    expect(result.status, result.output).not.toBe(0);
    expect(result.output).toMatch(message);
  });
});
