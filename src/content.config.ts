import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { awarenessSchema, guideSchema, newsSchema } from './lib/content/schemas';

// Editors' text lives outside src/ in content/, one folder per collection. CONTENT_DIR
// points a build at another folder (build tests and the build benchmark use it).
const contentDir = process.env.CONTENT_DIR ?? './content';
const mdx = (folder: string) => glob({ pattern: '**/*.mdx', base: `${contentDir}/${folder}` });

export const collections = {
  guides: defineCollection({ loader: mdx('guides'), schema: guideSchema }),
  awareness: defineCollection({ loader: mdx('awareness'), schema: awarenessSchema }),
  news: defineCollection({ loader: mdx('news'), schema: newsSchema }),
};
