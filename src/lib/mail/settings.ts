/**
 * Each member's mail choices: for every choosable kind, immediately, daily digest, weekly
 * digest or never (./kinds.ts says which kinds and their defaults); the hour digests are
 * sent at (Europe/London); and whether forum mail carries the post's text.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { mailKindSettings, mailPreferences, type MailCadence, type MailKind } from '#db/schema.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { write, type Database, type Queryable, type Transaction } from '#lib/db.ts';
import { cadencesFor, choosableKinds, kindInfo } from './kinds.ts';

export const DEFAULT_DIGEST_HOUR = 7;

export interface MailSettings {
  cadences: Record<MailKind, MailCadence>;
  digestHour: number;
  fullText: boolean;
}

export const cadenceLabels: Record<MailCadence, string> = {
  immediately: 'Straight away',
  daily: 'In a daily digest',
  weekly: 'In a weekly digest',
  never: 'Never',
};

function defaults(): Record<MailKind, MailCadence> {
  return Object.fromEntries(Object.entries(kindInfo).map(([kind, info]) => [kind, info.defaultCadence])) as Record<MailKind, MailCadence>;
}

export async function getMailSettings(db: Queryable, userId: number): Promise<MailSettings> {
  const [preferences, rows] = await Promise.all([
    db.select().from(mailPreferences).where(eq(mailPreferences.userId, userId)).get(),
    db.select().from(mailKindSettings).where(eq(mailKindSettings.userId, userId)).all(),
  ]);
  const cadences = defaults();
  for (const row of rows) if (cadencesFor(row.kind).includes(row.cadence)) cadences[row.kind] = row.cadence;
  return { cadences, digestHour: preferences?.digestHour ?? DEFAULT_DIGEST_HOUR, fullText: preferences?.fullText ?? false };
}

/** The cadence of one kind for each of these members (one query, for a post with many readers). */
export async function cadencesOf(db: Queryable, userIds: number[], kind: MailKind): Promise<Map<number, MailCadence>> {
  const result = new Map(userIds.map((id) => [id, kindInfo[kind].defaultCadence]));
  if (kindInfo[kind].choice === 'always' || userIds.length === 0) return result;
  const rows = await db
    .select({ userId: mailKindSettings.userId, cadence: mailKindSettings.cadence })
    .from(mailKindSettings)
    .where(and(eq(mailKindSettings.kind, kind), inArray(mailKindSettings.userId, userIds)))
    .all();
  for (const row of rows) if (cadencesFor(kind).includes(row.cadence)) result.set(row.userId, row.cadence);
  return result;
}

/** The settings form: one `cadence-<kind>` field per choosable kind, the digest hour, full text. */
export const mailSettingsFormSchema = z.object({
  ...Object.fromEntries(
    choosableKinds.map((kind) => [`cadence-${kind}`, z.enum(cadencesFor(kind) as [MailCadence, ...MailCadence[]], { error: 'Choose one of the options' })]),
  ),
  digestHour: z.coerce.number({ error: 'Choose a time from the list' }).int('Choose a time from the list').min(0, 'Choose a time from the list').max(23, 'Choose a time from the list'),
  fullText: z.enum(['on'], { error: 'Tick the box, or leave it empty' }).optional(),
}) as unknown as z.ZodType<Record<`cadence-${string}`, MailCadence> & { digestHour: number; fullText?: 'on' }>;

export type MailSettingsForm = z.infer<typeof mailSettingsFormSchema>;

/** Saves the whole settings form (every choosable kind is in it) and audits the change. */
export async function saveMailSettings(db: Database, userId: number, form: MailSettingsForm, ip: string | null = null, now = new Date()): Promise<MailSettings> {
  const cadences = Object.fromEntries(choosableKinds.map((kind) => [kind, form[`cadence-${kind}`]!])) as Record<MailKind, MailCadence>;
  await write(db, async (tx) => {
    await setCadencesIn(tx, userId, cadences);
    await tx
      .insert(mailPreferences)
      .values({ userId, digestHour: form.digestHour, fullText: form.fullText === 'on' })
      .onConflictDoUpdate({ target: mailPreferences.userId, set: { digestHour: form.digestHour, fullText: form.fullText === 'on' } });
    await auditIn(tx, { actorId: userId, action: 'mail-settings-change', outcome: 'success', targetType: 'user', targetId: userId, ip, detail: { ...cadences, digestHour: form.digestHour, fullText: form.fullText === 'on' } }, now);
  });
  return getMailSettings(db, userId);
}

/** Stores cadences for some kinds (only the choosable ones, only allowed values). */
export async function setCadencesIn(tx: Transaction, userId: number, cadences: Partial<Record<MailKind, MailCadence>>): Promise<void> {
  for (const [kind, cadence] of Object.entries(cadences) as [MailKind, MailCadence][]) {
    if (!choosableKinds.includes(kind) || !cadencesFor(kind).includes(cadence)) continue;
    await tx.insert(mailKindSettings).values({ userId, kind, cadence }).onConflictDoUpdate({ target: [mailKindSettings.userId, mailKindSettings.kind], set: { cadence } });
  }
}

