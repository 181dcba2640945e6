import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';

/**
 * Builds the public Pagefind index from the prerendered HTML in dist/client. Only
 * pages that mark their main content with `data-pagefind-body` are indexed, and only
 * public entries are ever prerendered, so members' text cannot reach this index.
 */
export function pagefindPublicIndex(): AstroIntegration {
  return {
    name: 'nmsn:pagefind-public',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const site = fileURLToPath(dir);
        const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
        if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
        try {
          const added = await index.addDirectory({ path: site });
          if (added.errors.length) throw new Error(`Pagefind indexing failed: ${added.errors.join('; ')}`);
          const written = await index.writeFiles({ outputPath: `${site}/pagefind` });
          if (written.errors.length) throw new Error(`Pagefind could not write: ${written.errors.join('; ')}`);
          logger.info(`indexed ${added.page_count} public pages`);
        } finally {
          await pagefind.close();
        }
      },
    },
  };
}
