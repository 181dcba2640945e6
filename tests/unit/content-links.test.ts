import { describe, expect, it } from 'vitest';
import { brokenLinks } from '#lib/content/links.ts';
import { parseSource, type SourceFile } from '#lib/content/sources.ts';

const common = 'summary: "A fixture entry used by the tests of links between entries."\npublished: 2020-01-01\naudience: public\ntopics: [nrm]\nregions: [national]\nowner: "Test owner"';
const file = (collection: SourceFile['collection'], relPath: string, fields: string): SourceFile => ({
  collection,
  relPath,
  source: `---\ntitle: "Fixture ${relPath}"\n${common}\n${fields}\n---\n\nBody.\n`,
});
const guide = (relPath: string, resources: string) => file('guides', relPath, `reviewed: 2020-01-01\nreviewDue: 2099-01-01\nversion: "1.0"\nresources: ${resources}`);
const check = (...files: SourceFile[]) => brokenLinks(files.map((f) => ({ ...parseSource(f), relPath: f.relPath })));

describe('links between entries', () => {
  const toolkit = file('resources', 'toolkit.mdx', 'file: ./toolkit.pdf');
  const workshop = file('events', 'workshop.mdx', 'location: "Leeds"\norganiser: "Test"\nstart: 2015-09-03\nend: 2015-09-03');

  it('accepts names of entries that exist, whatever their audience', () => {
    expect(check(toolkit, workshop, guide('g.mdx', '[toolkit]'), file('news', 'report.mdx', 'kind: workshop-report\nevent: workshop'))).toEqual([]);
  });

  it('names the file and the field of each broken link', () => {
    expect(
      check(
        toolkit,
        guide('g.mdx', '[toolkit, gone]'),
        file('news', 'report.mdx', 'kind: workshop-report\nevent: no-such-event'),
        file('resources', 'new.mdx', 'file: ./new.pdf\nreplaces: old'),
        file('resources', 'self.mdx', 'file: ./self.pdf\nreplaces: self'),
      ),
    ).toEqual([
      'guides/g.mdx: resources.1: there is no entry "gone" in content/resources (write its file name without .mdx)',
      'news/report.mdx: event: there is no entry "no-such-event" in content/events (write its file name without .mdx)',
      'resources/new.mdx: replaces: there is no entry "old" in content/resources (write its file name without .mdx)',
      'resources/self.mdx: replaces: a resource cannot replace itself',
    ]);
  });

  it('leaves entries with invalid frontmatter to the content layer', () => {
    expect(check(file('news', 'bad.mdx', 'kind: gossip\nevent: nowhere'))).toEqual([]);
  });
});
