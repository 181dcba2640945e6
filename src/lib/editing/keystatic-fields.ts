import { fields, type ComponentSchema } from '@keystatic/core';
import type { z } from 'astro/zod';
import { slugForTitle } from '#lib/content/slug.ts';

/**
 * The browser editor's form fields, made from the collections' zod schemas: the same
 * field names in the same order, the same allowed values, required fields, lengths and
 * patterns, and the labels and descriptions the schemas carry in `.meta()`. One source:
 * a field added to a schema appears in the editor; a kind of field this file cannot map
 * stops the build naming the field. What a form cannot express (a review date after the
 * last review, a source id that exists) the content checks judge at publish.
 */

type Check = { _zod: { def: { check: string; minimum?: number; maximum?: number; format?: string; pattern?: RegExp } } };
type Zod = { _zod: { def: { type: string; innerType?: Zod; element?: Zod; out?: Zod; shape?: Record<string, Zod>; entries?: Record<string, string>; checks?: Check[]; defaultValue?: unknown } }; meta: () => unknown };

interface FieldMeta {
  title?: string;
  description?: string;
  /** Labels for an enum's values (e.g. the taxonomy's topic names). */
  labels?: Record<string, string>;
  /** A long text: a box of several lines. */
  multiline?: boolean;
  /**
   * For a field the form cannot read from its zod type (a union, a transform): how to
   * take it. `resource-file` is an upload stored beside the entry; a pattern makes it a
   * text box that refuses what does not match (the schema still judges the rest).
   */
  editor?: 'resource-file' | { pattern: RegExp; message: string };
}

/** A readable label when the schema gives none: "reviewDue" → "Review due". */
function humanise(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const metaOf = (schema: Zod) => (schema.meta() ?? {}) as FieldMeta;

/** The schema under optional/default wrappers, with what the wrappers say. */
function unwrap(schema: Zod): { core: Zod; optional: boolean; defaultValue: unknown; meta: FieldMeta } {
  let core = schema;
  let optional = false;
  let defaultValue: unknown;
  let meta = metaOf(schema);
  for (;;) {
    const def = core._zod.def;
    if (def.type === 'optional') optional = true;
    else if (def.type === 'default') defaultValue = def.defaultValue;
    else if (def.type !== 'pipe' || !def.out) break;
    // A preprocessed field (z.preprocess) is edited as what it becomes.
    core = def.type === 'pipe' ? def.out! : def.innerType!;
    meta = { ...metaOf(core), ...meta };
  }
  return { core, optional, defaultValue, meta };
}

/** Length and pattern rules of a string schema. */
function stringRules(schema: Zod): { min?: number; max?: number; pattern?: RegExp } {
  const rules: { min?: number; max?: number; pattern?: RegExp } = {};
  for (const check of schema._zod.def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length') rules.min = c.minimum;
    if (c.check === 'max_length') rules.max = c.maximum;
    if (c.check === 'string_format' && c.format === 'regex') rules.pattern = c.pattern;
  }
  return rules;
}

/**
 * Keystatic applies length and pattern to an empty box too, so an optional field keeps
 * only its maximum and accepts the empty string (saved as no value); the content checks
 * judge a given value against the schema at publish.
 */
function textValidation(schema: Zod | null, isRequired: boolean, message: string | undefined, given: { pattern?: RegExp } = {}) {
  const rules = schema ? stringRules(schema) : {};
  const pattern = given.pattern ?? rules.pattern;
  const regex = pattern && !isRequired ? new RegExp(`^$|${pattern.source}`, pattern.flags) : pattern;
  return {
    isRequired,
    length: { min: isRequired ? rules.min : undefined, max: rules.max },
    ...(regex ? { pattern: { regex, message: message ?? `must match ${pattern}` } } : {}),
  };
}

const optionsOf = (entries: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.values(entries).map((value) => ({ value, label: labels?.[value] ?? value }));

/** The title: its text, and the file name (the address) made from it. */
export function titleField(schema: Zod) {
  const { meta } = unwrap(schema);
  return fields.slug({
    name: { label: meta.title ?? 'Title', description: meta.description, validation: textValidation(schema, true, meta.description) },
    slug: {
      label: 'File name',
      description: 'The end of the page address, made from the title. Changing it later changes the address of a published page.',
      generate: slugForTitle,
      validation: { pattern: { regex: /^[a-z0-9]+(?:-[a-z0-9]+)*$/, message: 'Use lower-case letters, digits and single dashes.' } },
    },
  });
}

/** The editor field for one frontmatter field of a schema. */
export function fieldFor(key: string, schema: Zod): ComponentSchema {
  const { core, optional, defaultValue, meta } = unwrap(schema);
  const label = meta.title ?? humanise(key);
  const description = meta.description;
  const def = core._zod.def;
  if (meta.editor === 'resource-file') {
    // Saved by Keystatic as resources/<entry>/file.<ext>, written in the entry as ./<entry>/file.<ext>.
    return fields.file({ label, description, publicPath: './', validation: { isRequired: !optional } });
  }
  if (meta.editor) {
    return fields.text({ label, description, validation: textValidation(null, !optional, meta.editor.message, { pattern: meta.editor.pattern }) });
  }
  switch (def.type) {
    case 'string':
      return fields.text({ label, description, multiline: meta.multiline ?? false, validation: textValidation(core, !optional, description) });
    case 'date':
      return optional ? fields.date({ label, description }) : fields.date({ label, description, validation: { isRequired: true } });
    case 'boolean':
      return fields.checkbox({ label, description, defaultValue: defaultValue === true });
    case 'enum': {
      const options = optionsOf(def.entries!, meta.labels);
      return fields.select({ label, description, options, defaultValue: typeof defaultValue === 'string' ? defaultValue : options[0]!.value });
    }
    case 'array': {
      const element = unwrap(def.element!);
      const elementDef = element.core._zod.def;
      if (elementDef.type === 'enum') return fields.multiselect({ label, description, options: optionsOf(elementDef.entries!, meta.labels ?? element.meta.labels) });
      if (elementDef.type === 'string') {
        const itemLabel = element.meta.title ?? 'Item';
        return fields.array(fields.text({ label: itemLabel, description: element.meta.description, validation: textValidation(element.core, true, description) }), {
          label,
          description,
          itemLabel: (props) => props.value || itemLabel,
        });
      }
      break;
    }
    case 'object':
      // An optional block (an awareness page's `strategy`): a switch, and its fields when on.
      // Keystatic stores it as { discriminant, value }, which the schema reads (schemas.ts).
      if (optional) {
        const block: Record<string, ComponentSchema> = Object.fromEntries(Object.entries(def.shape!).map(([k, f]) => [k, fieldFor(k, f)]));
        return fields.conditional(fields.checkbox({ label, description, defaultValue: false }), { true: fields.object(block), false: fields.empty() });
      }
      break;
  }
  throw new Error(`The browser editor cannot show the frontmatter field "${key}" (a zod ${def.type}): map it in src/lib/editing/keystatic-fields.ts.`);
}
