import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { resourcesLoader } from '#integrations/resources-loader.ts';
import { config } from '#lib/config.ts';
import { collectionSchemas, eventSchema, resourceSchema, sourceSchema } from '#lib/content/schemas.ts';
import { readSourceRecords } from '#lib/content/cited-sources.ts';

// Editors' text lives outside src/ in content/, one folder per collection. CONTENT_DIR
// points a build at another folder (build tests and the build benchmark use it).
const contentDir = config().CONTENT_DIR;
const mdx = (folder: string) => glob({ pattern: '**/*.mdx', base: `${contentDir}/${folder}` });

export const collections = {
  guides: defineCollection({ loader: mdx('guides'), schema: collectionSchemas.guides }),
  awareness: defineCollection({ loader: mdx('awareness'), schema: collectionSchemas.awareness }),
  news: defineCollection({ loader: mdx('news'), schema: collectionSchemas.news }),
  // Each resource names a file beside it; the loader measures the file (format, size).
  resources: defineCollection({ loader: resourcesLoader(`${contentDir}/resources`), schema: resourceSchema }),
  events: defineCollection({ loader: mdx('events'), schema: eventSchema }),
  // The register of cited pages (content/sources.yaml); a folder without one has none.
  sources: defineCollection({
    loader: () => Object.entries(readSourceRecords(contentDir)).map(([id, record]) => ({ ...(record as object), id })),
    schema: sourceSchema,
  }),
};
