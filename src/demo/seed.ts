/**
 * Demo data for a new embedded database: organisations of every type across regions,
 * and one fictional member per role. Everything here is marked `is_demo` and is never
 * loaded when NODE_ENV=production.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { memberProfiles, organisations, users, type OrganisationType, type Role } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { hashPassword } from '#lib/auth/passwords.ts';
import { saveTotpKey } from '#lib/auth/totp.ts';

/** Shown by `npm start` for the demo accounts only; never a real member's. */
export const DEMO_PASSWORD = 'demo-portal-password-2026';
/** The demo accounts' shared TOTP key, as text for an authenticator app. */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const demoOrganisations: { name: string; type: OrganisationType; region: string }[] = [
  { name: 'Demo Office of the Police and Crime Commissioner for Northshire', type: 'opcc', region: 'north-east' },
  { name: 'Demo Northshire Police', type: 'police-force', region: 'north-east' },
  { name: 'Demo National Police Chiefs’ Council Modern Slavery Unit', type: 'npcc', region: 'national' },
  { name: 'Demo Border Force Northern Region', type: 'border-force', region: 'north-west' },
  { name: 'Demo Crown Prosecution Service, Westmoor', type: 'cps', region: 'west-midlands' },
  { name: 'Demo Eastvale Council Adult and Children’s Safeguarding', type: 'local-authority-safeguarding', region: 'east-of-england' },
  { name: 'Demo Southdown NHS Safeguarding Team', type: 'health', region: 'south-east' },
  { name: 'Demo Riverside Housing Association', type: 'housing', region: 'london' },
  { name: 'Demo Freedom Support Charity', type: 'charity', region: 'yorkshire-and-the-humber' },
  { name: 'Demo Home Office Modern Slavery Policy Team', type: 'government', region: 'national' },
];

/** Fictional people; their directory profiles use example numbers and addresses only (Ofcom's drama range, .test domains). */
export const demoMembers: {
  email: string;
  displayName: string;
  role: Role;
  organisation: number;
  profile: Omit<typeof memberProfiles.$inferInsert, 'userId' | 'updatedAt'>;
}[] = [
  {
    email: 'admin@demo.nmsn.test',
    displayName: 'Alex Admin (demo)',
    role: 'admin',
    organisation: 2,
    profile: { roleTitle: 'Network coordinator (demo)', areas: ['regional-networks', 'multi-agency'] },
  },
  {
    email: 'editor@demo.nmsn.test',
    displayName: 'Eden Editor (demo)',
    role: 'editor',
    organisation: 0,
    profile: { roleTitle: 'Policy officer, modern slavery (demo)', areas: ['awareness', 'network-news'], askMeAbout: 'Writing and reviewing the network’s guides (demo profile).', showAskMeAbout: true },
  },
  {
    email: 'moderator@demo.nmsn.test',
    displayName: 'Morgan Moderator (demo)',
    role: 'moderator',
    organisation: 5,
    profile: { roleTitle: 'Safeguarding adults lead (demo)', areas: ['safeguarding', 'victim-identification', 'nrm'], workPhone: '01632 960 123', showWorkPhone: true },
  },
  {
    email: 'member@demo.nmsn.test',
    displayName: 'Sam Member (demo)',
    role: 'member',
    organisation: 8,
    profile: { roleTitle: 'Survivor support manager (demo)', areas: ['victim-identification', 'reporting'], workEmail: 'sam.support@demo.nmsn.test', showWorkEmail: true },
  },
];

export async function seedDemoData(db: Database): Promise<void> {
  const orgs = await write(db, (tx) =>
    tx.insert(organisations).values(demoOrganisations.map((o) => ({ ...o, isDemo: true }))).returning(),
  );
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const created = await write(db, (tx) =>
    tx
      .insert(users)
      .values(demoMembers.map((m) => ({ email: m.email, displayName: m.displayName, role: m.role, organisationId: orgs[m.organisation]!.id, passwordHash, isDemo: true })))
      .returning(),
  );
  await write(db, (tx) =>
    tx.insert(memberProfiles).values(created.map((user, i) => ({ ...demoMembers[i]!.profile, userId: user.id, updatedAt: new Date() }))),
  );
  const key = decodeBase32IgnorePadding(DEMO_TOTP_SECRET);
  for (const user of created) await saveTotpKey(db, user.id, key, 0);
  await (await import('./forum.ts')).seedDemoForum(db);
}
