/**
 * The one description of the portal's data (drizzle, SQLite dialect). Migrations in
 * db/migrations are generated from this file with `npm run db:generate`.
 * Times are stored as integer milliseconds since the epoch (UTC).
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const organisationTypes = [
  'opcc',
  'police-force',
  'npcc',
  'border-force',
  'cps',
  'local-authority-safeguarding',
  'health',
  'housing',
  'charity',
  'government',
] as const;
export const roles = ['member', 'moderator', 'editor', 'admin'] as const;
export const userStatuses = ['active', 'suspended'] as const;

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const organisations = sqliteTable('organisations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  type: text('type', { enum: organisationTypes }).notNull(),
  /** A key of `regions` in src/lib/content/taxonomy.ts. */
  region: text('region').notNull(),
  isDemo: integer('is_demo', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
});

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Stored lower-cased; the sign-in key. */
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: roles }).notNull().default('member'),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    status: text('status', { enum: userStatuses }).notNull().default('active'),
    passwordHash: text('password_hash').notNull(),
    isDemo: integer('is_demo', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
);

/** Lucia's design: the token is `id.secret`; only SHA-256(secret) is kept. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    /** Set once the second factor was given (or enrolled) in this session. */
    mfaVerified: integer('mfa_verified', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    lastVerifiedAt: integer('last_verified_at', { mode: 'timestamp_ms' }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const invitations = sqliteTable(
  'invitations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: blob('token_hash', { mode: 'buffer' }).notNull(),
    email: text('email').notNull(),
    role: text('role', { enum: roles }).notNull(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    invitedBy: integer('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('invitations_token_unique').on(t.tokenHash), index('invitations_email_idx').on(t.email)],
);

export const passwordResets = sqliteTable(
  'password_resets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: blob('token_hash', { mode: 'buffer' }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('password_resets_token_unique').on(t.tokenHash)],
);

export const totpCredentials = sqliteTable('totp_credentials', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** AES-256-GCM sealed key (iv ‖ ciphertext ‖ tag); see src/lib/auth/secret-box.ts. */
  keySealed: blob('key_sealed', { mode: 'buffer' }).notNull(),
  /** The last 30-second step a code was accepted for: each code works once. */
  lastUsedStep: integer('last_used_step').notNull().default(0),
  createdAt: createdAt(),
});

export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: blob('code_hash', { mode: 'buffer' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/** One row per attempt at a throttled action, so limits hold across processes. */
export const throttleEvents = sqliteTable(
  'throttle_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('throttle_events_key_at_idx').on(t.key, t.at)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** Who acted; null for an anonymous visitor (e.g. a failed sign-in). */
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    outcome: text('outcome', { enum: ['success', 'failure', 'refused'] }).notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    /** Extra facts as JSON; never passwords, tokens, codes or post bodies. */
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId),
    index('audit_log_action_idx').on(t.action),
  ],
);

export type Organisation = typeof organisations.$inferSelect;
export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type Role = (typeof roles)[number];
export type OrganisationType = (typeof organisationTypes)[number];
