import { collection, config, fields, type ComponentSchema } from '@keystatic/core';
import { editedSchemas } from '#lib/content/schemas.ts';
import { slugForTitle } from '#lib/content/slug.ts';
import { editedCollections, editedCollectionNames, type EditedCollectionName } from '#lib/content/taxonomy.ts';
import { fieldFor, titleField } from './keystatic-fields.ts';

/**
 * The browser editor's configuration (Keystatic, local storage), read by the editor page
 * in the browser and by the API route on the server. Paths are relative to the content
 * folder: the API hands Keystatic that folder as its base, so it neither lists nor
 * writes anything else. Frontmatter fields come from the collections' schemas; the body
 * is MDX with ## to #### headings and images that must have alt text, stored beside the
 * content under images/<collection>/<entry>/ and referred to relatively, so the build
 * publishes them (and only then are they served to the public). A resource's file is
 * uploaded to resources/<entry>/file.<ext>; the build serves a public one and keeps a
 * members' one out of the public folder, as for any resource.
 */

/** Keystatic's address for editing an entry. */
export const editUrl = (collection: EditedCollectionName, slug: string) => `/keystatic/collection/${collection}/item/${encodeURIComponent(slug)}`;

/** The preview of an entry's saved text, rendered with the site's own layout. */
export const previewUrl = (collection: EditedCollectionName, slug: string) => `/editor/preview/${collection}/${encodeURIComponent(slug)}`;

/** An uploaded image's file name, made plain: "My photo (1).PNG" → "my-photo-1.png" (ASCII only, as the API accepts). */
export function imageFileName(original: string): string {
  const dot = original.lastIndexOf('.');
  const ascii = (dot > 0 ? original.slice(0, dot) : original).normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const base = slugForTitle(ascii).replace(/[^a-z0-9-]/g, '').replace(/^-+|-+$/g, '') || 'image';
  const ext = dot > 0 ? original.slice(dot + 1).toLowerCase().replace(/[^a-z0-9]/g, '') : '';
  return ext ? `${base.slice(0, 80)}.${ext}` : base.slice(0, 80);
}

function editedCollection(name: EditedCollectionName) {
  const schema = editedSchemas[name];
  // The fields in the schema's order; the title (a slug field: text and file name) among them.
  const frontmatter: Record<string, ComponentSchema> = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [key, key === 'title' ? titleField(field as never) : fieldFor(key, field as never)]),
  );
  const title = frontmatter.title as ReturnType<typeof titleField>;
  return collection({
    label: editedCollections[name].label,
    slugField: 'title',
    path: `${name}/*`,
    format: { contentField: 'body' },
    entryLayout: 'content',
    previewUrl: `/editor/preview/${name}/{slug}`,
    // The list of entries shows these beside the title (typed loosely: the fields come from the schema).
    columns: ['title', 'published'] as 'title'[],
    schema: {
      ...frontmatter,
      title,
      body: fields.mdx({
        label: 'Text',
        description: 'Start sections with ## (the title is the page heading). Every image needs alt text.',
        options: {
          heading: [2, 3, 4],
          codeBlock: false,
          image: {
            directory: `images/${name}`,
            publicPath: `../images/${name}/`,
            transformFilename: imageFileName,
            schema: {
              alt: fields.text({
                label: 'Alt text',
                description: 'What the image shows, for people who cannot see it.',
                validation: { isRequired: true, length: { min: 1, max: 250 } },
              }),
            },
          },
        },
      }),
    },
  });
}

export default config({
  storage: { kind: 'local' },
  ui: { brand: { name: 'NMSN library' } },
  collections: Object.fromEntries(editedCollectionNames.map((name) => [name, editedCollection(name)])) as Record<EditedCollectionName, ReturnType<typeof editedCollection>>,
});
