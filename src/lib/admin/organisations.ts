/**
 * Organisations: the partner bodies members belong to. Names are unique (compared
 * without regard to case or surrounding spaces); the type and region come from fixed lists.
 */
import { asc, count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { organisations, organisationTypes, users, type Organisation, type OrganisationType } from '#db/schema.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { regionKeys, regions, type Region } from '#lib/content/taxonomy.ts';
import { refuse, type Result } from '#lib/result.ts';
import { isUniqueViolation, withVia, type Actor } from './common.ts';

/** How each type of organisation is named on screen; every value of the enum has one. */
export const organisationTypeLabels: Record<OrganisationType, string> = {
  opcc: 'Office of the Police and Crime Commissioner',
  'police-force': 'Police force',
  npcc: 'National Police Chiefs’ Council',
  'border-force': 'Border Force',
  cps: 'Crown Prosecution Service',
  'local-authority-safeguarding': 'Local authority safeguarding',
  health: 'Health',
  housing: 'Housing',
  charity: 'Charity',
  government: 'Government',
};

export { regions as regionLabels };

/** What a create or edit form sends; the same rules serve the CLI. */
export const organisationInputSchema = z.object({
  name: z
    .string({ error: 'Enter the organisation’s name' })
    .trim()
    .min(2, 'Enter the organisation’s name (at least 2 characters)')
    .max(200, 'Keep the name to 200 characters or fewer')
    .transform((s) => s.replace(/\s+/g, ' ')),
  type: z.enum(organisationTypes, { error: 'Choose the type of organisation' }),
  region: z.enum(regionKeys, { error: 'Choose a region' }),
});

export type OrganisationInput = z.infer<typeof organisationInputSchema>;

export interface OrganisationRow extends Organisation {
  members: number;
}

/** Every organisation with its number of members, by name. */
export async function listOrganisations(db: Queryable): Promise<OrganisationRow[]> {
  return db
    .select({
      id: organisations.id,
      name: organisations.name,
      type: organisations.type,
      region: organisations.region,
      isDemo: organisations.isDemo,
      createdAt: organisations.createdAt,
      members: count(users.id),
    })
    .from(organisations)
    .leftJoin(users, eq(users.organisationId, organisations.id))
    .groupBy(organisations.id)
    .orderBy(asc(sql`lower(${organisations.name})`))
    .all();
}

export async function getOrganisation(db: Queryable, id: number): Promise<Organisation | undefined> {
  return db.select().from(organisations).where(eq(organisations.id, id)).get();
}

/** The organisation with this name, whatever its case. */
export async function findOrganisationByName(db: Queryable, name: string): Promise<Organisation | undefined> {
  const wanted = name.trim().replace(/\s+/g, ' ');
  return db.select().from(organisations).where(sql`lower(${organisations.name}) = lower(${wanted})`).get();
}

const nameTaken = (name: string) =>
  refuse('taken', `There is already an organisation called “${name}”. Choose another name, or edit that one.`, 'name');

export function regionLabel(region: string): string {
  return regions[region as Region] ?? region;
}

export async function createOrganisation(db: Database, actor: Actor, input: OrganisationInput): Promise<Result<{ organisation: Organisation }>> {
  try {
    return await write(db, async (tx) => {
      if (await findOrganisationByName(tx, input.name)) {
        await auditIn(tx, { actorId: actor.userId, action: 'organisation-create', outcome: 'refused', targetType: 'organisation', ip: actor.ip, detail: withVia(actor, { reason: 'name-taken', name: input.name }) });
        return nameTaken(input.name);
      }
      const [organisation] = await tx.insert(organisations).values({ name: input.name, type: input.type, region: input.region }).returning();
      await auditIn(tx, { actorId: actor.userId, action: 'organisation-create', outcome: 'success', targetType: 'organisation', targetId: organisation!.id, ip: actor.ip, detail: withVia(actor, { name: input.name, type: input.type, region: input.region }) });
      return { ok: true, organisation: organisation! } as const;
    });
  } catch (error) {
    // Another process created the same name between our check and our insert.
    if (isUniqueViolation(error)) return nameTaken(input.name);
    throw error;
  }
}

export async function updateOrganisation(
  db: Database,
  actor: Actor,
  input: OrganisationInput & { id: number },
): Promise<Result<{ organisation: Organisation }>> {
  try {
    return await write(db, async (tx) => {
      const before = await getOrganisation(tx, input.id);
      if (!before) {
        await auditIn(tx, { actorId: actor.userId, action: 'organisation-update', outcome: 'refused', targetType: 'organisation', targetId: input.id, ip: actor.ip, detail: withVia(actor, { reason: 'not-found' }) });
        return refuse('not-found', 'That organisation does not exist.');
      }
      const clash = await findOrganisationByName(tx, input.name);
      if (clash && clash.id !== before.id) {
        await auditIn(tx, { actorId: actor.userId, action: 'organisation-update', outcome: 'refused', targetType: 'organisation', targetId: before.id, ip: actor.ip, detail: withVia(actor, { reason: 'name-taken', name: input.name }) });
        return nameTaken(input.name);
      }
      const [organisation] = await tx
        .update(organisations)
        .set({ name: input.name, type: input.type, region: input.region })
        .where(eq(organisations.id, before.id))
        .returning();
      const changes: Record<string, { from: string; to: string }> = {};
      for (const key of ['name', 'type', 'region'] as const) {
        if (before[key] !== input[key]) changes[key] = { from: before[key], to: input[key] };
      }
      await auditIn(tx, { actorId: actor.userId, action: 'organisation-update', outcome: 'success', targetType: 'organisation', targetId: before.id, ip: actor.ip, detail: withVia(actor, { changes }) });
      return { ok: true, organisation: organisation! } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return nameTaken(input.name);
    throw error;
  }
}
