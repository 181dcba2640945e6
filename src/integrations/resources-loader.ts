import type { Loader, LoaderContext } from 'astro/loaders';
import { glob } from 'astro/loaders';
import { basename, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resourceFileFacts } from '#lib/resources/file-facts.ts';

/** Fields the build measures from the file; an editor who types one is told to remove it. */
const MEASURED = ['fileName', 'format', 'bytes', 'sha256'] as const;

/**
 * The resources collection: MDX entries like the library's (Astro's glob loader), each
 * naming a file whose format, size and checksum the build reads from the file itself.
 * A missing, misplaced, unrecognised, mislabelled or oversized file fails the build
 * with the entry's path and the `file` field in the message.
 */
export function resourcesLoader(base: string): Loader {
  const inner = glob({ pattern: '**/*.mdx', base });
  return {
    name: 'nmsn:resources',
    load: async (context: LoaderContext) => {
      const collectionDir = resolve(fileURLToPath(context.config.root), base);
      const measure = (id: string, filePath: string, data: Record<string, unknown>) => {
        const where = relative(process.cwd(), filePath);
        if (id.includes('/')) throw new Error(`${where}: a resource is one .mdx file in content/resources (or content/resources/<name>/index.mdx), not deeper`);
        for (const field of MEASURED) {
          if (field in data && data[field] !== undefined) throw new Error(`${where}: ${field}: is read from the file when the site is built; remove it`);
        }
        if (typeof data.file !== 'string' || !data.file) throw new Error(`${where}: file: is required: the path of the file from this entry, like ./${basename(filePath, '.mdx')}.pdf`);
        return resourceFileFacts(filePath, data.file, collectionDir);
      };

      await inner.load({
        ...context,
        parseData: async (props) => context.parseData({ ...props, data: { ...props.data, ...measure(props.id, props.filePath!, props.data) } }),
      });

      // The glob loader skips an entry whose .mdx is unchanged since the last build, but its
      // file may have been replaced: measure every file again and update what changed.
      for (const entry of context.store.values()) {
        const entryPath = resolve(fileURLToPath(context.config.root), entry.filePath!);
        const { fileName, format, bytes, sha256 } = resourceFileFacts(entryPath, String(entry.data.file), collectionDir);
        if (entry.data.sha256 === sha256 && entry.data.fileName === fileName) continue;
        // No digest: the glob loader then parses this entry afresh next time.
        context.store.set({ ...entry, digest: undefined, data: { ...entry.data, fileName, format, bytes, sha256 } });
      }
    },
  };
}
