/**
 * The member directory (/members/people), a person's profile and an organisation's page.
 * Only active members are in it: a suspended or erased member is gone from every list and
 * their profile is "not found". Signed-in, verified members see it (the pages check);
 * nobody else, and it is never in a search index or the sitemap.
 */
import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { memberProfiles, organisations, organisationTypes, users, type OrganisationType } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import { likePattern } from '#lib/admin/common.ts';
import { regionKeys, topicKeys, type Region, type Topic } from '#lib/content/taxonomy.ts';

export const PEOPLE_PAGE_SIZE = 30;
/** Longer searches are refused: no name or role title is that long, and it bounds the work a search can ask for. */
export const SEARCH_MAX = 100;

export const directoryFiltersSchema = z.object({
  q: z
    .string()
    .trim()
    .max(SEARCH_MAX, `Search for at most ${SEARCH_MAX} characters`)
    // Control characters (other than spaces and tabs) are never in a name; a NUL would end the text SQLite compares.
    .regex(/^(?:[^\p{Cc}]|\s)*$/u, 'Search using letters, numbers, spaces and punctuation only')
    .transform((q) => q.replace(/\s+/g, ' '))
    .optional(),
  type: z.enum(organisationTypes, { error: 'Choose a type of organisation from the list' }).optional(),
  region: z.enum(regionKeys, { error: 'Choose a region from the list' }).optional(),
  area: z.enum(topicKeys, { error: 'Choose an area of practice from the list' }).optional(),
});
export type DirectoryFilters = z.infer<typeof directoryFiltersSchema> & { organisationId?: number };

/**
 * Reads the directory's filters from a query string. A bad value is dropped with a
 * message for its field, so the rest still apply; only the first value of each counts.
 */
export function parseDirectoryFilters(params: URLSearchParams): { filters: DirectoryFilters; errors: Record<string, string> } {
  const filters: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const key of Object.keys(directoryFiltersSchema.shape) as (keyof typeof directoryFiltersSchema.shape)[]) {
    const raw = params.get(key)?.trim();
    if (!raw) continue;
    const parsed = directoryFiltersSchema.shape[key].safeParse(raw);
    if (parsed.success) filters[key] = parsed.data;
    else errors[key] = parsed.error.issues[0]!.message;
  }
  return { filters: filters as DirectoryFilters, errors };
}

/**
 * What other members may see of a profile, decided here in SQL: a value the member did
 * not choose to show never leaves the database for anyone else's page.
 */
const shownColumns = {
  roleTitle: memberProfiles.roleTitle,
  areas: sql<string | null>`${memberProfiles.areas}`,
  askMeAbout: sql<string | null>`case when ${memberProfiles.showAskMeAbout} then ${memberProfiles.askMeAbout} end`,
  workPhone: sql<string | null>`case when ${memberProfiles.showWorkPhone} then ${memberProfiles.workPhone} end`,
  workEmail: sql<string | null>`case when ${memberProfiles.showWorkEmail} then ${memberProfiles.workEmail} end`,
  link: memberProfiles.link,
};

const personColumns = {
  id: users.id,
  displayName: users.displayName,
  role: users.role,
  joinedAt: users.createdAt,
  organisationId: organisations.id,
  organisationName: organisations.name,
  organisationType: organisations.type,
  region: organisations.region,
  ...shownColumns,
};

export interface Person {
  id: number;
  displayName: string;
  role: (typeof users.$inferSelect)['role'];
  joinedAt: Date;
  organisationId: number;
  organisationName: string;
  organisationType: OrganisationType;
  region: Region;
  roleTitle: string | null;
  areas: Topic[];
  askMeAbout: string | null;
  workPhone: string | null;
  workEmail: string | null;
  link: string | null;
}

type PersonRow = Omit<Person, 'areas' | 'region'> & { areas: string | null; region: string };

function toPerson(row: PersonRow): Person {
  const areas = row.areas ? (JSON.parse(row.areas) as string[]) : [];
  return {
    ...row,
    region: row.region as Region,
    // Only areas still in the taxonomy: a topic retired from it drops out of profiles too.
    areas: areas.filter((a): a is Topic => (topicKeys as string[]).includes(a)),
  };
}

/** Who is in the directory: active members only. */
const inDirectory = eq(users.status, 'active');

function conditions(filters: DirectoryFilters): SQL {
  const list: SQL[] = [inDirectory];
  if (filters.q) {
    const pattern = likePattern(filters.q);
    list.push(sql`(${users.displayName} like ${pattern} escape '\\' or coalesce(${memberProfiles.roleTitle}, '') like ${pattern} escape '\\')`);
  }
  if (filters.type) list.push(eq(organisations.type, filters.type));
  if (filters.region) list.push(eq(organisations.region, filters.region));
  if (filters.area) list.push(sql`exists (select 1 from json_each(${memberProfiles.areas}) where value = ${filters.area})`);
  if (filters.organisationId) list.push(eq(users.organisationId, filters.organisationId));
  return and(...list)!;
}

/** The directory: members matching the filters (name or role title, organisation type, region, area), by name, a page at a time. */
export async function listPeople(db: Queryable, filters: DirectoryFilters = {}, page = 1, pageSize = PEOPLE_PAGE_SIZE): Promise<{ people: Person[]; total: number }> {
  const where = conditions(filters);
  const [rows, totalRow] = await Promise.all([
    db
      .select(personColumns)
      .from(users)
      .innerJoin(organisations, eq(organisations.id, users.organisationId))
      .leftJoin(memberProfiles, eq(memberProfiles.userId, users.id))
      .where(where)
      .orderBy(asc(sql`lower(${users.displayName})`), asc(users.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .all(),
    db
      .select({ n: count() })
      .from(users)
      .innerJoin(organisations, eq(organisations.id, users.organisationId))
      .leftJoin(memberProfiles, eq(memberProfiles.userId, users.id))
      .where(where)
      .get(),
  ]);
  return { people: rows.map(toPerson), total: totalRow?.n ?? 0 };
}

/** One member of the directory as other members see them, or null when they are not in it (unknown, suspended, erased). */
export async function findPerson(db: Queryable, id: number): Promise<Person | null> {
  const row = await db
    .select(personColumns)
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .leftJoin(memberProfiles, eq(memberProfiles.userId, users.id))
    .where(and(eq(users.id, id), inDirectory))
    .get();
  return row ? toPerson(row) : null;
}

/** An organisation by id, or null. Its members are `listPeople(db, { organisationId })`. */
export async function findOrganisation(db: Queryable, id: number) {
  const organisation = await db.select().from(organisations).where(eq(organisations.id, id)).get();
  if (!organisation) return null;
  return { ...organisation, region: organisation.region as Region };
}
