/**
 * The browser editor's configuration follows the collections' zod schemas: the same
 * fields in the same order, the same allowed values, the same required fields; and every
 * real entry's frontmatter is one the editor can open (no key it does not know, every
 * value one its fields accept).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import keystaticConfig, { imageFileName } from '#lib/editing/keystatic-config.ts';
import { parseFrontmatter } from '#lib/content/frontmatter.ts';
import { editedSchemas } from '#lib/content/schemas.ts';
import { readSources } from '#lib/content/source-files.ts';
import { editedCollectionNames } from '#lib/content/taxonomy.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
type Field = { kind: string; formKind?: string; label?: string; options?: { value: string }[]; parse?: (value: unknown, args?: unknown) => unknown; validate?: (value: unknown) => unknown };

function enumValues(schema: unknown): string[] | undefined {
  let s = schema as { _zod: { def: { type: string; innerType?: unknown; element?: unknown; entries?: Record<string, string> } } };
  while (s._zod.def.type === 'optional' || s._zod.def.type === 'default') s = s._zod.def.innerType as typeof s;
  if (s._zod.def.type === 'array') return enumValues(s._zod.def.element);
  return s._zod.def.entries ? Object.values(s._zod.def.entries) : undefined;
}

describe.each(editedCollectionNames)('the editor’s %s', (name) => {
  const collection = keystaticConfig.collections![name]!;
  const schema = editedSchemas[name];
  const fields = collection.schema as unknown as Record<string, Field>;

  it('has the schema’s fields, in the schema’s order, then the body', () => {
    expect(Object.keys(fields)).toEqual([...Object.keys(schema.shape), 'body']);
    expect(collection.path).toBe(`${name}/*`);
    expect(collection.slugField).toBe('title');
  });

  it('offers exactly the values the schema allows', () => {
    for (const [key, field] of Object.entries(schema.shape)) {
      const values = enumValues(field);
      if (values) expect(fields[key]!.options?.map((o) => o.value), key).toEqual(values);
    }
  });

  it('labels every field in words', () => {
    for (const key of Object.keys(schema.shape)) {
      const meta = (schema.shape as Record<string, { meta: () => { title?: string } | undefined }>)[key]!.meta();
      expect(meta?.title, `${name}.${key} needs .meta({ title, description }) in schemas.ts`).toBeTruthy();
    }
  });

  it('requires what the schema requires', () => {
    for (const [key, field] of Object.entries(schema.shape)) {
      const type = (field as { _zod: { def: { type: string } } })._zod.def.type;
      if (key === 'title' || type !== 'string') continue;
      // A required text field refuses the empty string; a required upload, no file.
      expect(() => fields[key]!.validate!(fields[key]!.formKind === 'asset' ? null : ''), key).toThrow();
    }
    const updated = fields.updated!;
    expect(() => updated.validate!(null)).not.toThrow();
    expect(() => fields.published!.validate!(null)).toThrow();
  });
});

describe('every real entry', () => {
  const files = readSources(join(root, 'content'));

  it.each(files.map((f) => [`${f.collection}/${f.relPath}`, f] as const))('%s opens in the editor', (_path, file) => {
    const collection = keystaticConfig.collections![file.collection]!;
    const fields = collection.schema as unknown as Record<string, Field>;
    const frontmatter = parseFrontmatter(file.source);
    expect(frontmatter.ok).toBe(true);
    if (!frontmatter.ok) return;
    expect(Object.keys(frontmatter.data).filter((k) => !(k in fields)), 'keys the editor does not know').toEqual([]);
    for (const [key, field] of Object.entries(fields)) {
      // A resource's file opens with the file itself (house-style.test.ts opens it as Keystatic does).
      if (key === 'title' || key === 'body' || !field.parse || field.formKind === 'asset') continue;
      const value = frontmatter.data[key];
      expect(() => field.parse!(value instanceof Date ? value.toISOString().slice(0, 10) : value), `${key}: ${JSON.stringify(value)}`).not.toThrow();
    }
  });

  it('includes the library', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(readFileSync(join(root, 'content', files[0]!.collection, files[0]!.relPath), 'utf8')).toMatch(/^---\n/);
  });
});

describe('fields the form cannot read from the zod type', () => {
  const events = keystaticConfig.collections!.events!.schema as unknown as Record<string, Field>;
  const resources = keystaticConfig.collections!.resources!.schema as unknown as Record<string, Field>;

  it('takes an event’s start and end as a day or a day and UK time, or empty while to be confirmed', () => {
    for (const key of ['start', 'end']) {
      for (const ok of ['2027-10-18', '2027-10-18T10:00', '']) expect(() => events[key]!.validate!(ok), `${key}: ${ok}`).not.toThrow();
      for (const bad of ['18 October 2027', '2027-10-18 10:00', '2027-10-18T10:00:00Z']) expect(() => events[key]!.validate!(bad), `${key}: ${bad}`).toThrow(/Write a day as/);
    }
  });

  it('takes booking as a web address or "by invitation", or empty', () => {
    for (const ok of ['https://example.org/book', 'by invitation', '']) expect(() => events.booking!.validate!(ok), ok).not.toThrow();
    expect(() => events.booking!.validate!('javascript:alert(1)')).toThrow(/web address/);
  });

  it('offers the statuses with their labels, scheduled first', () => {
    expect(events.status!.options).toEqual([
      { value: 'scheduled', label: 'Scheduled' },
      { value: 'cancelled', label: 'Cancelled' },
      { value: 'postponed', label: 'Postponed' },
    ]);
  });

  it('uploads a resource’s file, which it requires', () => {
    expect(resources.file!.formKind).toBe('asset');
    expect(() => resources.file!.validate!(null)).toThrow();
  });

  it('lets an optional patterned field stay empty', () => {
    const news = keystaticConfig.collections!.news!.schema as unknown as Record<string, Field>;
    expect(() => news.event!.validate!('')).not.toThrow();
    expect(() => news.event!.validate!('Not A Slug')).toThrow();
    expect(() => resources.replaces!.validate!('')).not.toThrow();
  });
});

describe('uploaded image names', () => {
  it.each([
    ['My photo (1).PNG', 'my-photo-1.png'],
    ['../../etc/passwd.png', 'etcpasswd.png'],
    ['Déjà vu.jpeg', 'deja-vu.jpeg'],
    ['.hidden.gif', 'hidden.gif'],
    ['写真.webp', 'image.webp'],
  ])('%s becomes %s', (original, safe) => {
    expect(imageFileName(original)).toBe(safe);
  });
});
