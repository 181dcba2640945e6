import type { AstroIntegration, AstroIntegrationLogger } from 'astro';
import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';
import { membersIndexRecords } from '#lib/content/members-index.ts';
import { MEMBERS_INDEX_FOLDER } from '#lib/content/members-index-files.ts';
import { config } from '#lib/config.ts';
import { readSources } from '#lib/content/sources.ts';

/**
 * Builds both Pagefind indexes when the build is done:
 *
 * - the public index from the prerendered HTML in dist/client. Only pages that mark
 *   their main content with `data-pagefind-body` are indexed, and only public entries
 *   are ever prerendered, so members' text cannot reach this index;
 * - the members' index from the MDX sources of released `audience: members` entries
 *   (guides, awareness, news, resources and events),
 *   written to dist/private/pagefind-members — outside dist/client, so it is only ever
 *   served by the authenticated route /members/pagefind/[...path] (decision 006).
 */
export function pagefindIndexes(): AstroIntegration {
  let root = process.cwd();
  let outDir = resolve('dist');
  return {
    name: 'nmsn:pagefind',
    hooks: {
      'astro:config:done': ({ config: astro }) => {
        root = fileURLToPath(astro.root);
        outDir = fileURLToPath(astro.outDir);
      },
      'astro:build:done': async ({ dir, logger }) => {
        const site = fileURLToPath(dir);
        try {
          await buildPublicIndex(site, logger);
          await buildMembersIndex({ root, outDir, site, logger });
        } finally {
          await pagefind.close();
        }
      },
    },
  };
}

async function buildPublicIndex(site: string, logger: AstroIntegrationLogger) {
  const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
  if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
  const added = await index.addDirectory({ path: site });
  if (added.errors.length) throw new Error(`Pagefind indexing failed: ${added.errors.join('; ')}`);
  const written = await index.writeFiles({ outputPath: `${site}/pagefind` });
  if (written.errors.length) throw new Error(`Pagefind could not write: ${written.errors.join('; ')}`);
  await index.deleteIndex();
  logger.info(`indexed ${added.page_count} public pages`);
}

async function buildMembersIndex({ root, outDir, site, logger }: { root: string; outDir: string; site: string; logger: AstroIntegrationLogger }) {
  const outputPath = join(outDir, MEMBERS_INDEX_FOLDER);
  // The one property that matters most: never write members' text where the public can fetch it.
  const fromSite = relative(site, outputPath);
  if (!fromSite.startsWith('..')) throw new Error(`The members' index must be written outside ${site}, not to ${outputPath}`);

  // The same folder content.config.ts reads; CONTENT_DIR points builds at fixture content.
  const contentDir = resolve(root, config().CONTENT_DIR);
  // A build releases what is due at the moment of the build; drafts never.
  const records = membersIndexRecords(readSources(contentDir), { now: new Date(), production: true });

  const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
  if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
  for (const record of records) {
    const added = await index.addCustomRecord(record);
    if (added.errors.length) throw new Error(`Pagefind could not index ${record.url}: ${added.errors.join('; ')}`);
  }
  // No stale chunks from an earlier build (e.g. of an entry since made public or removed).
  rmSync(outputPath, { recursive: true, force: true });
  const written = await index.writeFiles({ outputPath });
  if (written.errors.length) throw new Error(`Pagefind could not write the members' index: ${written.errors.join('; ')}`);
  await index.deleteIndex();
  logger.info(`indexed ${records.length} members' entries in ${relative(root, outputPath) || outputPath}`);
}
