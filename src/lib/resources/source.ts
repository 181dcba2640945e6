import { dirname, resolve } from 'node:path';

/**
 * A resource's file in the content folder, as the build reads it: `file` is relative to
 * the entry, whose path Astro records relative to the project root (the build's cwd).
 */
export function resourceSourcePath(resource: { filePath?: string; data: { file: string } }): string {
  if (!resource.filePath) throw new Error('A resource entry has no file path; it must come from the resources loader');
  return resolve(dirname(resolve(resource.filePath)), resource.data.file);
}
