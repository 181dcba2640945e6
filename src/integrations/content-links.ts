import type { AstroIntegration } from 'astro';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokenLinks } from '#lib/content/links.ts';
import { parseSource, readSources } from '#lib/content/sources.ts';

/**
 * Fails the build before anything is written when an entry names another that does not
 * exist (a guide's resources, a report's event, a resource it replaces), naming the file
 * and the field. Astro's `reference()` does not check existence, hence this hook.
 */
export function contentLinks(): AstroIntegration {
  let root = process.cwd();
  return {
    name: 'nmsn:content-links',
    hooks: {
      'astro:config:done': ({ config }) => {
        root = fileURLToPath(config.root);
      },
      'astro:build:start': () => {
        const contentDir = resolve(root, process.env.CONTENT_DIR ?? './content');
        const problems = brokenLinks(readSources(contentDir).map((file) => ({ ...parseSource(file), relPath: file.relPath })));
        if (problems.length) throw new Error(`Links between entries are broken:\n${problems.join('\n')}`);
      },
    },
  };
}
