/**
 * What the end-to-end suite reads and builds: the real library plus test-only fixture
 * entries from tests/fixtures/content. Tests that need an entry in a particular state
 * (overdue for review, members-only, a workshop report with known words) use the
 * fixtures, so editors can review, rename and rewrite the real entries freely. The
 * fixtures are only ever in this test build, never in dist/.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildTarget } from '#server/build.ts';
import type { SourceCollection } from '#lib/content/sources.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = 'tests/fixtures/content';
const CONTENT = 'node_modules/.cache/e2e/content';

/** The e2e suite's own build: real content and fixtures, outside dist/. */
export const e2eBuild: BuildTarget = {
  outDir: 'node_modules/.cache/e2e/dist',
  contentDir: CONTENT,
  cacheDir: 'node_modules/.cache/e2e/astro',
  extraSources: [FIXTURES],
  prepare: assembleContent,
};

export const e2eClientDir = join(root, e2eBuild.outDir, 'client');

/** Copies content/ and the fixtures into one folder; a fixture may not replace a real entry. */
function assembleContent(): void {
  const out = join(root, CONTENT);
  rmSync(out, { recursive: true, force: true });
  cpSync(join(root, 'content'), out, { recursive: true });
  for (const collection of readdirSync(join(root, FIXTURES))) {
    for (const file of readdirSync(join(root, FIXTURES, collection))) {
      const target = join(out, collection, file);
      if (existsSync(target)) throw new Error(`The test fixture ${collection}/${file} has the name of a real entry; rename the fixture.`);
      cpSync(join(root, FIXTURES, collection, file), target);
    }
  }
}

/** How many members-only entries a collection of the test build has (real ones and fixtures). */
export function membersOnlyCount(collection: SourceCollection): number {
  const folder = join(root, CONTENT, collection);
  return readdirSync(folder).filter((f) => f.endsWith('.mdx') && /^audience:\s*members\s*$/m.test(readFileSync(join(folder, f), 'utf8'))).length;
}

/** The fixture entries, as the tests address them. Their words are deliberately odd, so searches are exact. */
export const fixtures = {
  currentGuide: {
    key: 'guides/fixture-current-guide',
    url: '/guides/fixture-current-guide',
    title: 'Fixture guide: the kittiwake referral checklist',
  },
  overdueGuide: {
    key: 'guides/fixture-overdue-guide',
    url: '/guides/fixture-overdue-guide',
    title: 'Fixture guide: a guide past its review date',
  },
  membersGuide: {
    slug: 'fixture-members-guide',
    key: 'guides/fixture-members-guide',
    url: '/members/guides/fixture-members-guide',
    title: 'Fixture guide for members: the whimbrel exercise plan',
    sentence: 'This fixture sentence about whimbrel timings is for members only.',
    /** Words only the members' fixture has. */
    words: 'whimbrel timings',
  },
  awarenessPage: {
    url: '/awareness/fixture-awareness-page',
    title: 'Fixture awareness page: signs seen at the plover depot',
  },
  strategy: {
    url: '/awareness/fixture-strategy',
    title: 'Fixture strategy: reaching turnstone businesses',
  },
  /** A strategy for another audience (the public), for the filters to leave out. */
  publicStrategy: {
    url: '/awareness/fixture-public-strategy',
    title: 'Fixture strategy: a sandpiper campaign for the public',
  },
  workshopReport: {
    url: '/news/fixture-workshop-report',
    title: 'Fixture report: the sanderling workshop',
  },
  publicToolkit: {
    url: '/resources/fixture-public-toolkit',
    title: 'Fixture toolkit: the guillemot checklist',
    fileUrl: '/resources/fixture-public-toolkit/fixture-public-toolkit.pdf',
    file: 'resources/fixture-public-toolkit.pdf',
  },
  contactsSheet: {
    title: 'Fixture sheet: the razorbill contacts',
  },
  membersPack: {
    url: '/members/resources/fixture-members-pack',
    title: 'Fixture pack for members: the dunlin exercise',
    fileUrl: '/members/resources/fixture-members-pack/fixture-members-pack.odt',
    file: 'resources/fixture-members-pack.odt',
  },
  /** The Saturday before the clocks went back in 2016: British Summer Time. */
  summerTimeEvent: {
    url: '/events/fixture-autumn-workshop',
    title: 'Fixture event: the autumn shearwater workshop',
  },
  /** The Monday after: GMT. */
  wintertimeEvent: {
    url: '/events/fixture-winter-briefing',
    title: 'Fixture event: the winter petrel briefing',
  },
  undatedEvent: {
    title: 'Fixture event: the tern meeting, date to follow',
  },
  membersEvent: {
    slug: 'fixture-members-meeting',
    url: '/members/events/fixture-members-meeting',
    title: 'Fixture event for members: the knot meeting',
  },
} as const;

/** A fixture file's bytes, to compare with what the portal sends. */
export const fixtureFile = (path: string) => readFileSync(join(root, FIXTURES, path));
