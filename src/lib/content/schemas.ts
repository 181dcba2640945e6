import { z } from 'astro/zod';
import { newsKinds, regionKeys, regions, strategyAudienceKeys, strategyAudiences, topicKeys, topics } from './taxonomy.ts';
import { eventTimeSchema } from '#lib/events/when.ts';
import { acceptedExtensions, resourceFormatKeys } from '#lib/resources/formats.ts';

/** Another entry named by its file name without `.mdx` (its address), e.g. `nrm-referral-checklist`. */
const slugSchema = z
  .string({ error: 'must be an entry\'s file name without .mdx, like nrm-referral-checklist' })
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be an entry\'s file name without .mdx, like nrm-referral-checklist');

/** Accepts a YAML date or an ISO date string; rejects anything that is not a real date. */
const dateSchema = z.coerce.date({ error: 'must be a date written as YYYY-MM-DD' });

/** A source's id in content/sources.yaml: lower-case words joined by hyphens. */
export const sourceIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be the id of a source in content/sources.yaml, e.g. ho-statutory-guidance');

/**
 * Frontmatter every entry of the library carries. Each field's `meta` gives its label and
 * the words editors read about it, in the docs and in the browser editor alike (the
 * editor's form is made from these schemas: src/lib/editing/keystatic-fields.ts).
 */
export const entrySchema = z.object({
  title: z.string().min(5).max(120).meta({ title: 'Title', description: 'The page heading and the title in search results, 5 to 120 characters.' }),
  summary: z
    .string()
    .min(20)
    .max(300)
    .meta({ title: 'Summary', description: 'One or two sentences saying what the page is for: the lead paragraph, listing cards and search results. Aim for 160 characters or fewer.', multiline: true }),
  published: dateSchema.meta({ title: 'Published', description: 'The day the entry was first published. A day in the future holds it back until that day.' }),
  updated: dateSchema.optional().meta({ title: 'Updated', description: 'The day the text last changed in substance, if after it was published.' }),
  audience: z
    .enum(['public', 'members'])
    .meta({ title: 'Audience', description: 'Public pages are open to everyone; members-only pages are only ever shown to signed-in members.', labels: { public: 'Public', members: 'Members only' } }),
  topics: z.array(z.enum(topicKeys)).min(1).meta({ title: 'Topics', description: 'One or more.', labels: topics }),
  regions: z.array(z.enum(regionKeys)).min(1).meta({ title: 'Regions', description: 'One or more; National when it applies everywhere.', labels: regions }),
  owner: z.string().min(2).max(120).meta({ title: 'Owner', description: 'The organisation responsible for the text.' }),
  draft: z.boolean().default(false).meta({ title: 'Draft', description: 'A draft is never published.' }),
  /**
   * The pages the entry's facts come from: ids of records in content/sources.yaml. The
   * page ends with a "Sources" section listing them. Every published entry needs at least
   * one (the content tests check it); default none, so a draft can be saved early.
   */
  sources: z
    .array(sourceIdSchema.meta({ title: 'Source id' }))
    .default([])
    .meta({ title: 'Sources', description: 'The ids of the pages the facts come from, as listed in content/sources.yaml (e.g. ho-statutory-guidance).' }),
});

/** Review dates, shown to the reader: guides and awareness pages (which hold phone numbers) carry them. */
const reviewFields = {
  reviewed: dateSchema.meta({ title: 'Last reviewed', description: 'The day the owner last checked the page was right.' }),
  reviewDue: dateSchema.meta({ title: 'Review due', description: 'The day by which the page must be checked again; after it the page tells readers it may be out of date.' }),
};
const reviewDueAfterReviewed: [(e: { reviewed: Date; reviewDue: Date }) => boolean, { message: string; path: string[] }] = [
  (e) => e.reviewDue > e.reviewed,
  { message: 'must be later than reviewed', path: ['reviewDue'] },
];

/** Practice guides add review information and a version. */
export const guideSchema = entrySchema
  .extend({
    ...reviewFields,
    /** The guide's version, e.g. "1.2". */
    version: z
      .string({ error: 'must be text in quotes, e.g. version: "1.2"' })
      .regex(/^\d+\.\d+(\.\d+)?$/, 'must look like "1.0" or "1.2.3"')
      .meta({ title: 'Version', description: 'Like 1.0 or 1.2.3: raise it when the guidance changes.' }),
    /** Resources (slugs under content/resources) listed on the guide; the build fails if one does not exist. */
    resources: z
      .array(slugSchema.meta({ title: 'Resource' }))
      .default([])
      .meta({ title: 'Resources', description: 'File names (without .mdx) of entries in content/resources to list on the guide.' }),
  })
  .refine(...reviewDueAfterReviewed);

/** One line of a strategy's list: a sentence, not a paragraph. */
const strategyLine = z.string().min(10).max(200);

/**
 * An awareness strategy: how partners plan, run and evaluate a campaign for one
 * audience. Only strategies carry it; its presence puts the page in the strategies listing.
 */
export const strategySchema = z.object({
  /** Who the campaign is for: one of src/lib/content/taxonomy.ts `strategyAudiences`. */
  audience: z.enum(strategyAudienceKeys).meta({ title: 'Who the campaign is for', labels: strategyAudiences }),
  /** What the campaign should change, one line each (1 to 8). */
  objectives: z
    .array(strategyLine.meta({ title: 'Objective' }))
    .min(1)
    .max(8)
    .meta({ title: 'Objectives', description: 'What the campaign should change: 1 to 8 lines of 10 to 200 characters.' }),
  /** How partners will tell what changed: measures to collect, never results not yet had (1 to 8). */
  evaluation: z
    .array(strategyLine.meta({ title: 'Measure' }))
    .min(1)
    .max(8)
    .meta({ title: 'Evaluation', description: 'How partners will tell what changed: measures to collect, never results not yet had. 1 to 8 lines.' }),
});

/**
 * The browser editor keeps an optional block behind a switch: `{ discriminant: true,
 * value: { … } }` when it is there, `{ discriminant: false }` when not. Entries are saved
 * in that shape (so the editor can open them); the schema reads it, and the plain block.
 */
function fromEditorSwitch(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !('discriminant' in value)) return value;
  const { discriminant, value: inner } = value as { discriminant: unknown; value?: unknown };
  if (discriminant === false) return undefined;
  return discriminant === true ? inner : value;
}

/** Awareness pages add review information (the review notice applies) and, for strategies, `strategy`. */
export const awarenessSchema = entrySchema
  .extend({
    ...reviewFields,
    strategy: z.preprocess(fromEditorSwitch, strategySchema.optional()).meta({
      title: 'This page is an awareness strategy',
      description: 'Tick it on a strategy page, then give its audience, objectives and evaluation; the page is then listed with the strategies.',
    }),
  })
  .refine(...reviewDueAfterReviewed);

/** News adds what kind of item it is. */
export const newsSchema = entrySchema.extend({
  kind: z
    .enum(Object.keys(newsKinds) as [keyof typeof newsKinds, ...(keyof typeof newsKinds)[]], {
      error: 'must be news or workshop-report (an event is an entry of its own in content/events)',
    })
    .meta({ title: 'Kind', description: 'What sort of item this is (an event is an entry of its own in content/events).', labels: newsKinds }),
  /** The event (slug under content/events) this item reports on; the event page links back to it. */
  event: slugSchema.optional().meta({ title: 'Event', description: 'The file name (without .mdx) of the event in content/events this item reports on, if any.' }),
});

/** The kinds of source, in the order a "Sources" section lists them. */
export const sourceKinds = ['legislation', 'government', 'police', 'charity', 'other'] as const;

/** One cited page: a record of content/sources.yaml (the record's key is its id). */
export const sourceSchema = z.object({
  /** Who published the page, e.g. "Home Office (GOV.UK)". */
  publisher: z.string().min(2).max(160),
  /** The page's own title. */
  title: z.string().min(2).max(300),
  /** The exact page. */
  url: z.url({ protocol: /^https?$/, error: 'must be the page address, starting http:// or https://' }),
  /** legislation and government first, then police, then charities, then the rest. */
  kind: z.enum(sourceKinds),
  /** The page's own date, as it shows it ("3 September 2015", "May 2023"), if any. */
  date: z.string().max(40).optional(),
  /** Anything a reader should know about the copy we read, e.g. which edition. */
  note: z.string().max(400).optional(),
  /** The day we last read the page. */
  checked: dateSchema,
});

/** A downloadable resource, as editors write it. Format and size are never typed: the build reads them from the file. */
export const resourceFrontmatterSchema = entrySchema.extend({
  /** The file, as a path from this entry: beside it (`./nrm-referral-checklist.pdf`) or in a folder inside content/resources. */
  file: z
    .string({ error: 'must name the file, like ./nrm-referral-checklist.pdf' })
    .min(1)
    .meta({
      title: 'File',
      description: `The document readers download: ${acceptedExtensions}, at most 25 MB. Its format and size are read from the file when the site is published.`,
      editor: 'resource-file',
    }),
  /** The slug of an older resource this one replaces; the older one then says so and links here. */
  replaces: slugSchema
    .optional()
    .meta({ title: 'Replaces', description: 'The file name (without .mdx) of an older resource this one replaces, if any; the older one then links here.' }),
});
/** A resource as the site reads it: the frontmatter plus what the build measured (src/lib/resources/file-facts.ts). */
export const resourceSchema = resourceFrontmatterSchema.extend({
  fileName: z.string(),
  format: z.enum(resourceFormatKeys),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const eventStatuses = { scheduled: 'Scheduled', cancelled: 'Cancelled', postponed: 'Postponed' } as const;

/** How the browser editor takes an event time: text of one of the two forms eventTimeSchema reads (it judges the rest). */
const eventTimeInput = { pattern: /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/, message: 'Write a day as 2027-10-18, or a day and UK time as 2027-10-18T10:00.' };

/** An event of the network's calendar (decision 019: a collection of its own, not a kind of news). */
export const eventSchema = entrySchema
  .extend({
    /** UK time: "2017-10-30T15:00", or a whole day 2017-10-30. Leave out start and end while the date is to be confirmed. */
    start: eventTimeSchema('start')
      .optional()
      .meta({ title: 'Start', description: 'A day (2027-10-18) or a day and UK time (2027-10-18T10:00). Leave empty while the date is to be confirmed.', editor: eventTimeInput }),
    /** Same form as start: a time if start has one, else a day (the last day, for an event of several days). */
    end: eventTimeSchema('end')
      .optional()
      .meta({ title: 'End', description: 'Written like the start: a day and UK time if the start has a time, else the last day. Empty when the start is.', editor: eventTimeInput }),
    /** Where it happens, e.g. "Cumberland Lodge, Windsor Great Park", or `online`. */
    location: z.string().min(2).max(200).meta({ title: 'Location', description: 'Where it happens, e.g. "Cumberland Lodge, Windsor Great Park", or online.' }),
    /** The organisation running the event. */
    organiser: z.string().min(2).max(120).meta({ title: 'Organiser', description: 'The organisation running the event.' }),
    /** How to take part: a booking address (https://…) or `by invitation`. Leave it out if neither is known. */
    booking: z
      .union([z.literal('by invitation'), z.url({ protocol: /^https?$/, error: 'must be a web address (https://…) or "by invitation"' })])
      .optional()
      .meta({
        title: 'Booking',
        description: 'How to take part: the booking page (https://…) or the words by invitation. Leave empty if neither is known.',
        editor: { pattern: /^(by invitation|https?:\/\/\S+)$/, message: 'Write a web address starting https:// or the words by invitation.' },
      }),
    /** `scheduled` (the default), `cancelled` or `postponed`. */
    status: z
      .enum(Object.keys(eventStatuses) as [keyof typeof eventStatuses, ...(keyof typeof eventStatuses)[]])
      .default('scheduled')
      .meta({ title: 'Status', description: 'Scheduled, or cancelled or postponed (the page and the calendars then say so).', labels: eventStatuses }),
  })
  .superRefine((e, ctx) => {
    if (e.start && !e.end) ctx.addIssue({ code: 'custom', path: ['end'], message: 'is needed when start is given (the same day, for a one-day event)' });
    if (e.end && !e.start) ctx.addIssue({ code: 'custom', path: ['start'], message: 'is needed when end is given' });
    if (!e.start || !e.end) return;
    if ((e.start.time === null) !== (e.end.time === null)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be a day if start is a day, or a day and time if start has a time' });
    } else if (e.end.at.getTime() <= e.start.at.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be later than start' });
    }
  });
/** Each collection's frontmatter schema: content.config.ts, the content checks and the browser editor use this one map. */
export const collectionSchemas = { guides: guideSchema, awareness: awarenessSchema, news: newsSchema } as const;

/**
 * The frontmatter of every collection editors write: the library's, and resources (what
 * editors type; the build adds what it measures from the file) and events. The browser
 * editor's form, the content checks and the dashboard read this map.
 */
export const editedSchemas = { ...collectionSchemas, resources: resourceFrontmatterSchema, events: eventSchema } as const;

export type EntryData = z.infer<typeof entrySchema>;
export type SourceData = z.infer<typeof sourceSchema>;
export type GuideData = z.infer<typeof guideSchema>;
export type AwarenessData = z.infer<typeof awarenessSchema>;
export type NewsData = z.infer<typeof newsSchema>;
export type ResourceData = z.infer<typeof resourceSchema>;
export type EventData = z.infer<typeof eventSchema>;

/**
 * How long a summary should be. The schema's hard limits (20–300) stop a build; this is
 * advice, so the content checks only warn: GOV.UK asks for summaries under 160
 * characters (the part search engines show), and under 40 rarely says what a page is for.
 */
export const SUMMARY_ADVICE = { min: 40, max: 160 } as const;
