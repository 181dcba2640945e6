import { eq } from 'drizzle-orm';
import { users, type User } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';

/** Emails are compared case-insensitively: stored and looked up lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.email, normaliseEmail(email))).get();
}

export function findUserById(db: Queryable, id: number): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}
