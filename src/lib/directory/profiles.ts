/**
 * A member's profile in the directory: what they fill in on /account/profile, and the
 * rules for it. Role title and areas of practice are always shown to other members;
 * "ask me about", the work phone and the work email only when the member ticks them
 * (each is hidden by default); the link is shown when given. Which values leave the
 * database for other members is decided in one place, `shownColumns` in ./directory.ts.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { memberProfiles, type MemberProfile } from '#db/schema.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { topicKeys } from '#lib/content/taxonomy.ts';

export const ROLE_TITLE_MAX = 120;
export const ASK_ME_ABOUT_MAX = 500;
export const WORK_PHONE_MAX = 30;
export const LINK_MAX = 300;
/** The only kinds of link a profile may hold: no javascript:, data:, or plain http. */
export const LINK_SCHEMES = ['https:', 'mailto:', 'tel:'] as const;

/** Control and text-direction characters never belong in a one-line field (they can disguise text). */
const ONE_LINE = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;
/** The same, except that line breaks are allowed. */
const MULTI_LINE = /^(?:[^\p{Cc}\u202A-\u202E\u2066-\u2069]|\n)*$/u;

/** An empty or missing field means "not given". */
const blankToNull = (v: unknown) => (v === undefined || (typeof v === 'string' && v.trim() === '') ? null : v);
const ticked = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());

export function linkSchemeProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full link, starting https://, mailto: or tel:';
  }
  return (LINK_SCHEMES as readonly string[]).includes(url.protocol) ? null : 'Use a link starting https://, mailto: or tel: (other kinds of link are not allowed)';
}

export const profileInputSchema = z
  .object({
    roleTitle: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .max(ROLE_TITLE_MAX, `Keep your role title to ${ROLE_TITLE_MAX} characters or fewer`)
        .regex(ONE_LINE, 'Use letters, numbers, spaces and punctuation only')
        .nullable(),
    ),
    areas: z
      .array(z.enum(topicKeys, { error: 'Choose areas of practice from the list' }))
      .max(topicKeys.length)
      .transform((areas) => [...new Set(areas)]),
    askMeAbout: z.preprocess(
      (v) => blankToNull(typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : v),
      z
        .string()
        .trim()
        .max(ASK_ME_ABOUT_MAX, `Keep “Ask me about” to ${ASK_ME_ABOUT_MAX} characters or fewer`)
        .regex(MULTI_LINE, 'Use letters, numbers, spaces and punctuation only')
        .nullable(),
    ),
    showAskMeAbout: ticked,
    workPhone: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .max(WORK_PHONE_MAX, `Keep the phone number to ${WORK_PHONE_MAX} characters or fewer`)
        .regex(/^\+?[0-9 ()-]+$/, 'Enter a phone number using digits, spaces and + ( ) - only, like 01632 960 000')
        .refine((v) => v.replace(/\D/g, '').length >= 6, 'Enter a whole phone number, like 01632 960 000')
        .nullable(),
    ),
    showWorkPhone: ticked,
    workEmail: z.preprocess(
      blankToNull,
      z.string().trim().max(254, 'Email addresses are at most 254 characters').pipe(z.email({ error: 'Enter an email address, like name@example.org' })).nullable(),
    ),
    showWorkEmail: ticked,
    link: z.preprocess(
      blankToNull,
      z
        .string()
        .trim()
        .max(LINK_MAX, `Keep the link to ${LINK_MAX} characters or fewer`)
        .superRefine((value, ctx) => {
          const problem = linkSchemeProblem(value);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .nullable(),
    ),
  })
  // Ticking "show" with nothing to show would look like a bug on the profile page.
  .superRefine((p, ctx) => {
    if (p.showAskMeAbout && !p.askMeAbout) ctx.addIssue({ code: 'custom', path: ['askMeAbout'], message: 'Write what to ask you about, or untick “Show on my profile”' });
    if (p.showWorkPhone && !p.workPhone) ctx.addIssue({ code: 'custom', path: ['workPhone'], message: 'Enter the phone number to show, or untick “Show on my profile”' });
    if (p.showWorkEmail && !p.workEmail) ctx.addIssue({ code: 'custom', path: ['workEmail'], message: 'Enter the email address to show, or untick “Show on my profile”' });
  });

export type ProfileInput = z.infer<typeof profileInputSchema>;

/** The member's own profile, everything in it (for their edit page and their export), or null. */
export function ownProfile(db: Queryable, userId: number): Promise<MemberProfile | undefined> {
  return db.select().from(memberProfiles).where(eq(memberProfiles.userId, userId)).get();
}

/** Saves the member's profile; the audit row names the fields that changed, never their values. */
export async function saveProfile(db: Database, userId: number, input: ProfileInput, ip: string | null = null, now = new Date()): Promise<void> {
  await write(db, async (tx) => {
    const before = await tx.select().from(memberProfiles).where(eq(memberProfiles.userId, userId)).get();
    const values = { ...input, updatedAt: now };
    await tx.insert(memberProfiles).values({ userId, ...values }).onConflictDoUpdate({ target: memberProfiles.userId, set: values });
    const changed = (Object.keys(input) as (keyof ProfileInput)[]).filter((key) => JSON.stringify(before?.[key] ?? null) !== JSON.stringify(input[key] ?? null));
    await auditIn(tx, { actorId: userId, action: 'profile-change', outcome: 'success', targetType: 'user', targetId: userId, ip, detail: { fields: changed } }, now);
  });
}
