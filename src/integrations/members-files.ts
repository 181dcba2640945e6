import type { AstroIntegration } from 'astro';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMembersOnly } from '#lib/content/audience.ts';
import { parseSource, readSources } from '#lib/content/sources.ts';
import { MEMBERS_FILES_FOLDER, membersFilePath } from '#lib/resources/download.ts';
import { resourceFileFacts } from '#lib/resources/file-facts.ts';

/**
 * Copies the files of members' resources to dist/private/resources/<id>/<file>, beside
 * the server build and never inside dist/client, where only the authenticated route
 * /members/resources/<id>/<file> reads them. Every non-draft members' resource is
 * copied, future-dated ones included, so a resource appears on its publication day
 * (the route checks release per request, as members' pages do).
 */
export function membersFiles(): AstroIntegration {
  let root = process.cwd();
  let outDir = resolve('dist');
  return {
    name: 'nmsn:members-files',
    hooks: {
      'astro:config:done': ({ config }) => {
        root = fileURLToPath(config.root);
        outDir = fileURLToPath(config.outDir);
      },
      'astro:build:done': ({ dir, logger }) => {
        const site = fileURLToPath(dir);
        const target = join(outDir, MEMBERS_FILES_FOLDER);
        // The one property that matters most: never put members' files where the public can fetch them.
        if (!relative(site, target).startsWith('..')) throw new Error(`Members' files must be written outside ${site}, not to ${target}`);
        const contentDir = resolve(root, process.env.CONTENT_DIR ?? './content');
        // No stale file of a resource since withdrawn, made public or replaced.
        rmSync(target, { recursive: true, force: true });
        let copied = 0;
        for (const file of readSources(contentDir, ['resources'])) {
          const parsed = parseSource(file);
          if (!parsed.ok) throw new Error(parsed.error);
          if (parsed.collection !== 'resources') continue;
          if (parsed.data.draft || !isMembersOnly(parsed.data)) continue;
          const entryPath = join(contentDir, 'resources', file.relPath);
          const facts = resourceFileFacts(entryPath, parsed.data.file, join(contentDir, 'resources'));
          const destination = membersFilePath(target, parsed.id, facts.fileName);
          mkdirSync(dirname(destination), { recursive: true });
          copyFileSync(resolve(dirname(entryPath), parsed.data.file), destination);
          copied++;
        }
        logger.info(`copied ${copied} members' resource files to ${relative(root, target) || target}`);
      },
    },
  };
}
