/**
 * Shared set-up for integration tests: a real, migrated libSQL file in its own temp
 * folder (never a mock), and members to sign in with.
 *
 *   const t = await freshDatabase();
 *   afterAll(() => t.cleanup());
 *   const { user, password } = await createTestUser(t.db, { role: 'moderator' });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { categories, organisations, users, type Category, type User } from '#db/schema.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { hashPassword } from '#lib/auth/passwords.ts';

export interface TestDatabase {
  db: Database;
  /** The DATABASE_URL it was opened with, to open a second client on the same file. */
  url: string;
  /** Closes the client and deletes the folder. */
  cleanup: () => void;
}

/** A new database file in a new temp folder, opened as the app opens it, with every migration applied. */
export async function freshDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'nmsn-test-'));
  const url = `file:${join(dir, 'portal.db')}`;
  const db = await openDatabase({ DATABASE_URL: url });
  await migrateDatabase(db);
  return {
    db,
    url,
    cleanup: () => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestUserOverrides = Partial<Omit<typeof users.$inferInsert, 'id'>> & {
  /** The plain password to hash; ignored when `passwordHash` is given (saves an argon2 run). */
  password?: string;
};

const TEST_ORGANISATION = 'Test organisation';
let counter = 0;

/**
 * An active member of a test organisation (created on first use), with a unique email
 * unless one is given. Returns the row and the plain password.
 */
export async function createTestUser(db: Database, overrides: TestUserOverrides = {}): Promise<{ user: User; password: string }> {
  const { password = 'correct horse battery staple', ...fields } = overrides;
  const passwordHash = fields.passwordHash ?? (await hashPassword(password));
  // Taken now, not inside the queued write, so parallel calls get different numbers.
  const n = ++counter;
  const user = await write(db, async (tx) => {
    let organisation = await tx.select().from(organisations).where(eq(organisations.name, TEST_ORGANISATION)).get();
    organisation ??= (await tx.insert(organisations).values({ name: TEST_ORGANISATION, type: 'charity', region: 'national' }).returning())[0]!;
    const [row] = await tx
      .insert(users)
      .values({
        email: `member-${process.pid}-${n}@example.org`,
        displayName: `Test member ${n}`,
        organisationId: organisation.id,
        ...fields,
        passwordHash,
      })
      .returning();
    return row!;
  });
  return { user, password };
}

/** The two categories most forum tests need: one open to every member, one for PCCs and chiefs only (OPCCs, police forces, the NPCC). */
export async function openAndChiefsCategories(db: Database): Promise<[open: Category, chiefs: Category]> {
  const rows = await write(db, (tx) =>
    tx
      .insert(categories)
      .values([
        { slug: 'open', name: 'Open to all', description: 'Any member' },
        { slug: 'chiefs', name: 'PCCs and chiefs', description: 'Restricted', allowedOrganisationTypes: ['opcc', 'police-force', 'npcc'] },
      ])
      .returning(),
  );
  return rows as [Category, Category];
}
