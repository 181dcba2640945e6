import { resolve } from 'node:path';
import { config } from '#lib/config.ts';
import { readSources as readCollections, type SourceFile as AnySourceFile } from './sources.ts';
import { editedCollectionNames, type EditedCollectionName } from './taxonomy.ts';

/**
 * The entries editors write (guides, awareness, news, resources, events) as they sit in the content folder:
 * what the content checks, the editors' dashboard, the preview and the browser editor
 * read. Reading is sources.ts's; this names the folder and narrows to the collections
 * editors write in the browser.
 */

export { entryIdFromPath } from './entry-ids.ts';

/**
 * The content folder: `content/` beside the project, or CONTENT_DIR (build tests, the
 * benchmark and the e2e suite point it at a copy).
 */
export function contentDir(): string {
  return resolve(config().CONTENT_DIR);
}

export type SourceFile = AnySourceFile & { collection: EditedCollectionName };

/** The path of a source file inside the content folder, e.g. "guides/debriefing.mdx". */
export const contentPath = (file: Pick<SourceFile, 'collection' | 'relPath'>) => `${file.collection}/${file.relPath}`;

/** Every .mdx entry of the edited collections, as content.config.ts finds them, in a stable order. */
export function readSources(dir: string = contentDir()): SourceFile[] {
  return readCollections(dir, editedCollectionNames) as SourceFile[];
}
