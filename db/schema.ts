/**
 * The one description of the portal's data (drizzle, SQLite dialect). Migrations in
 * db/migrations are generated from this file with `npm run db:generate`.
 * Times are stored as integer milliseconds since the epoch (UTC).
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
/** `erased`: the member's personal data is gone; the row stays as "Former member" so posts and the audit log keep their id (src/lib/auth/erasure.ts). */
export const userStatuses = ['active', 'suspended', 'erased'] as const;

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
    erasedAt: integer('erased_at', { mode: 'timestamp_ms' }),
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
    /** When the member last confirmed password and code again in this session (src/lib/auth/reauthentication.ts). */
    reauthenticatedAt: integer('reauthenticated_at', { mode: 'timestamp_ms' }),
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

/**
 * A member's passkeys (WebAuthn credentials, src/lib/auth/passkeys.ts). A passkey with
 * user verification is both factors at once: signing in with one alone is a full sign-in.
 * Only the public key is kept; the private key never leaves the member's device.
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The credential id the authenticator chose (raw bytes, at most 1,023). */
    credentialId: blob('credential_id', { mode: 'buffer' }).notNull(),
    /** COSE algorithm: -7 (ES256, key as SEC1 uncompressed point) or -257 (RS256, key as PKCS#1). */
    algorithm: integer('algorithm').notNull(),
    publicKey: blob('public_key', { mode: 'buffer' }).notNull(),
    /** The authenticator's signature counter at its last use (0: it keeps none). */
    signCount: integer('sign_count').notNull().default(0),
    /** The member's name for it, e.g. "Work laptop". */
    name: text('name').notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('passkeys_credential_unique').on(t.credentialId), index('passkeys_user_idx').on(t.userId)],
);

export const webauthnPurposes = ['register', 'sign-in'] as const;

/**
 * WebAuthn challenges waiting for their answer: single-use (deleted when answered),
 * short-lived, and bound to what asked for them: a signed-in session (adding a passkey)
 * or one browser's sign-in attempt (the hash of its attempt cookie). Only a hash of the
 * challenge is kept.
 */
export const webauthnChallenges = sqliteTable(
  'webauthn_challenges',
  {
    challengeHash: blob('challenge_hash', { mode: 'buffer' }).primaryKey(),
    purpose: text('purpose', { enum: webauthnPurposes }).notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id').references(() => sessions.id, { onDelete: 'cascade' }),
    attemptHash: blob('attempt_hash', { mode: 'buffer' }),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('webauthn_challenges_expires_idx').on(t.expiresAt)],
);

/**
 * What a member shows other members in the directory (/members/people). Role title and
 * areas of practice are always shown; "ask me about", the work phone and the work email
 * only when the member ticks them (each is hidden by default). No row yet = nothing filled in.
 */
export const memberProfiles = sqliteTable('member_profiles', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Free text, e.g. "Modern slavery lead, West Yorkshire Police". */
  roleTitle: text('role_title'),
  /** Keys of `topics` in src/lib/content/taxonomy.ts. */
  areas: text('areas', { mode: 'json' }).$type<string[]>().notNull().default([]),
  askMeAbout: text('ask_me_about'),
  showAskMeAbout: integer('show_ask_me_about', { mode: 'boolean' }).notNull().default(false),
  workPhone: text('work_phone'),
  showWorkPhone: integer('show_work_phone', { mode: 'boolean' }).notNull().default(false),
  workEmail: text('work_email'),
  showWorkEmail: integer('show_work_email', { mode: 'boolean' }).notNull().default(false),
  /** One https:, mailto: or tel: link, shown when given. */
  link: text('link'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export type Organisation = typeof organisations.$inferSelect;
export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type MemberProfile = typeof memberProfiles.$inferSelect;
export type Passkey = typeof passkeys.$inferSelect;
export type Role = (typeof roles)[number];
export type OrganisationType = (typeof organisationTypes)[number];

// ─── The members' forum ────────────────────────────────────────────────────────

/**
 * A category may be restricted: then only members whose role is listed, or whose
 * organisation's type is listed, can see it (either list may be null = no rule).
 */
export const categories = sqliteTable('categories', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  position: integer('position').notNull().default(0),
  allowedRoles: text('allowed_roles', { mode: 'json' }).$type<Role[] | null>(),
  allowedOrganisationTypes: text('allowed_organisation_types', { mode: 'json' }).$type<OrganisationType[] | null>(),
  isDemo: integer('is_demo', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
});

export const threads = sqliteTable(
  'threads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id),
    title: text('title').notNull(),
    slug: text('slug').notNull(),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    /** Last activity: the sort key of category pages (Discourse's bumped_at). */
    bumpedAt: integer('bumped_at', { mode: 'timestamp_ms' }).notNull(),
    pinned: integer('pinned', { mode: 'boolean' }).notNull().default(false),
    locked: integer('locked', { mode: 'boolean' }).notNull().default(false),
    hiddenAt: integer('hidden_at', { mode: 'timestamp_ms' }),
    hiddenReason: text('hidden_reason'),
    hiddenBy: integer('hidden_by').references(() => users.id, { onDelete: 'set null' }),
    /** Visible replies (posts after the first). */
    replyCount: integer('reply_count').notNull().default(0),
    highestPostNumber: integer('highest_post_number').notNull().default(0),
    /** For "Discuss this guide": `collection/slug` of the library entry. */
    guideKey: text('guide_key'),
    isDemo: integer('is_demo', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('threads_category_order_idx').on(t.categoryId, t.pinned, t.bumpedAt),
    uniqueIndex('threads_guide_key_unique').on(t.guideKey),
  ],
);

export const posts = sqliteTable(
  'posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    /** 1, 2, 3… within the thread: anchors, permalinks and read state use it. */
    postNumber: integer('post_number').notNull(),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** The Markdown the author wrote. */
    raw: text('raw').notNull(),
    /** `raw` rendered through the sanitising pipeline (src/lib/forum/markdown.ts). */
    html: text('html').notNull(),
    replyToPostNumber: integer('reply_to_post_number'),
    createdAt: createdAt(),
    editedAt: integer('edited_at', { mode: 'timestamp_ms' }),
    version: integer('version').notNull().default(1),
    hiddenAt: integer('hidden_at', { mode: 'timestamp_ms' }),
    hiddenReason: text('hidden_reason'),
    hiddenBy: integer('hidden_by').references(() => users.id, { onDelete: 'set null' }),
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
    deletedBy: integer('deleted_by').references(() => users.id, { onDelete: 'set null' }),
    isDemo: integer('is_demo', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [uniqueIndex('posts_thread_number_unique').on(t.threadId, t.postNumber), index('posts_author_idx').on(t.authorId)],
);

/** Every earlier text of an edited post: the edit history all members can read. */
export const postRevisions = sqliteTable(
  'post_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    /** The version this text was (1 = as first posted). */
    version: integer('version').notNull(),
    raw: text('raw').notNull(),
    /** Who wrote this version and when it was replaced. */
    editedBy: integer('edited_by').references(() => users.id, { onDelete: 'set null' }),
    replacedAt: integer('replaced_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('post_revisions_post_version_unique').on(t.postId, t.version)],
);

export const subscriptionLevels = ['watching', 'normal', 'muted'] as const;

export const threadSubscriptions = sqliteTable(
  'thread_subscriptions',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    level: text('level', { enum: subscriptionLevels }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.threadId] })],
);

export const categorySubscriptions = sqliteTable(
  'category_subscriptions',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id, { onDelete: 'cascade' }),
    level: text('level', { enum: subscriptionLevels }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.categoryId] })],
);

export const notificationKinds = ['reply', 'mention', 'quote', 'watching'] as const;

export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: notificationKinds }).notNull(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    readAt: integer('read_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.readAt)],
);

/** One row per member per thread: the highest post they have seen; it only moves forward. */
export const readStates = sqliteTable(
  'read_states',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    lastReadPostNumber: integer('last_read_post_number').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.threadId] })],
);

export const reports = sqliteTable(
  'reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    reporterId: integer('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
    resolvedBy: integer('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    resolution: text('resolution', { enum: ['resolved', 'dismissed'] }),
  },
  (t) => [index('reports_open_idx').on(t.resolvedAt)],
);

export type Category = typeof categories.$inferSelect;
export type Thread = typeof threads.$inferSelect;
export type Post = typeof posts.$inferSelect;

// ─── Mail ──────────────────────────────────────────────────────────────────────

/**
 * Every kind of message the portal sends (src/lib/mail/kinds.ts says who gets each, and
 * whether members can choose how often). A new kind needs no migration: the column is text.
 */
export const mailKinds = [
  'invitation',
  'password-reset',
  'password-changed',
  'authenticator-changed',
  'passkeys-changed',
  'recovery-code-used',
  'recovery-codes-renewed',
  'new-sign-in',
  'mention',
  'reply',
  'quote',
  'watched-thread-reply',
  'watched-category-thread',
  'report-decision',
  'post-hidden',
  'digest',
] as const;

/**
 * queued: waiting to be sent (or retried at next_attempt_at); held: waiting for the
 * member's daily or weekly digest; digested: went out in digest `digest_id`; sent: the
 * SMTP server accepted it; kept: no SMTP server is configured (outside production), so it
 * was kept for administrators to read; failed: refused for good or given up; skipped:
 * not sent because, when it was built, there was no longer anyone or anything to tell.
 */
export const mailStatuses = ['queued', 'held', 'digested', 'sent', 'kept', 'failed', 'skipped'] as const;
export const mailCadences = ['immediately', 'daily', 'weekly', 'never'] as const;

/**
 * The outbox: one row per message, written in the transaction of the event that caused
 * it, then built and sent by a worker that claims rows with a lease (src/lib/mail/worker.ts).
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: mailKinds }).notNull(),
    /** The member it is for; null for an invitation (not a member yet). Erasing the member erases their mail. */
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** For an invitation, the address from the start; for members, the address it was sent to. */
    toAddress: text('to_address'),
    /** What it is about, for administrators' status views: `invitation:12`, `password-reset:5`. */
    ref: text('ref'),
    /** The kind's facts (ids, and for links a sealed token, removed once the message is done). */
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** The left half of the Message-ID, the same on every attempt, so a repeat can be recognised. */
    messageKey: text('message_key').notNull(),
    status: text('status', { enum: mailStatuses }).notNull().default('queued'),
    /** For held rows: the digest that will carry it. */
    digest: text('digest', { enum: ['daily', 'weekly'] }),
    /** For digested rows: the digest message (a row of kind 'digest') that carried it. */
    digestId: integer('digest_id'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    /** Which worker holds the row, and until when: another may take it only after that. */
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
    /** The SMTP server's last refusal or the reason it was skipped; never message text. */
    lastError: text('last_error'),
    createdAt: createdAt(),
    /** When the server accepted it (or it was kept, skipped or failed for good). */
    doneAt: integer('done_at', { mode: 'timestamp_ms' }),
    /** Outside production with no SMTP server: the subject and text, for administrators to read. */
    keptText: text('kept_text'),
  },
  (t) => [
    uniqueIndex('mail_outbox_message_key_unique').on(t.messageKey),
    index('mail_outbox_due_idx').on(t.status, t.nextAttemptAt),
    index('mail_outbox_user_idx').on(t.userId, t.status),
    index('mail_outbox_ref_idx').on(t.ref),
    index('mail_outbox_digest_idx').on(t.digestId),
  ],
);

/** A member's mail choices that are not per kind. No row = the defaults. */
export const mailPreferences = sqliteTable('mail_preferences', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The hour (Europe/London) digests are sent at. */
  digestHour: integer('digest_hour').notNull().default(7),
  /** Forum mail carries the post's text (off by default: mail leaves our control). */
  fullText: integer('full_text', { mode: 'boolean' }).notNull().default(false),
  /** The digest slots last sent, so a slot is never sent twice. */
  lastDailyDigestAt: integer('last_daily_digest_at', { mode: 'timestamp_ms' }),
  lastWeeklyDigestAt: integer('last_weekly_digest_at', { mode: 'timestamp_ms' }),
});

/** How often a member wants each kind of message; no row = the kind's default. */
export const mailKindSettings = sqliteTable(
  'mail_kind_settings',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: mailKinds }).notNull(),
    cadence: text('cadence', { enum: mailCadences }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/**
 * Browsers a member has signed in from (a long-lived random cookie; only its hash is
 * kept), so a sign-in from a new one can be told to them.
 */
export const knownBrowsers = sqliteTable(
  'known_browsers',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: blob('token_hash', { mode: 'buffer' }).notNull(),
    firstSeenAt: integer('first_seen_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tokenHash] })],
);

export type MailKind = (typeof mailKinds)[number];
export type MailCadence = (typeof mailCadences)[number];
export type MailStatus = (typeof mailStatuses)[number];
export type OutboxRow = typeof mailOutbox.$inferSelect;
// ─── Calendar feeds ────────────────────────────────────────────────────────────

/**
 * A member's private calendar feed (calendar apps cannot send our cookie, so the
 * address itself is the key). One per member; only the SHA-256 of the token is kept,
 * so the address can be shown only when it is made. Deleting the row revokes it.
 */
export const calendarFeeds = sqliteTable(
  'calendar_feeds',
  {
    userId: integer('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: blob('token_hash', { mode: 'buffer' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('calendar_feeds_token_unique').on(t.tokenHash)],
);
// ─── Publishing the library (editors) ──────────────────────────────────────────

/**
 * The content-folder tree an editor's browser last received from the editor's API, per
 * session: a save is compared with it, so a change someone else made after the editor
 * opened an entry is noticed (src/lib/editing/conflicts.ts).
 */
export const editorViews = sqliteTable('editor_views', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  /** Path inside the content folder → git blob sha of the file, as JSON. */
  tree: text('tree', { mode: 'json' }).notNull().$type<Record<string, string>>(),
  seenAt: integer('seen_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Who last saved each file of the content folder through the editor, and when. */
export const contentEdits = sqliteTable('content_edits', {
  /** Path inside the content folder, e.g. "guides/working-with-interpreters.mdx". */
  path: text('path').primaryKey(),
  /** The git blob sha of what was saved; null when the save deleted the file. */
  sha: text('sha'),
  userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
  at: integer('at', { mode: 'timestamp_ms' }).notNull(),
});

export const keptVersionReasons = ['conflict', 'rollback'] as const;

/**
 * Text that was not written to the content folder, kept so nothing is lost: a save refused
 * because someone else changed the file first, or unpublished work a rollback replaced.
 */
export const keptVersions = sqliteTable(
  'kept_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    path: text('path').notNull(),
    reason: text('reason', { enum: keptVersionReasons }).notNull(),
    /** Whose text it is. */
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    content: blob('content', { mode: 'buffer' }).notNull(),
    createdAt: createdAt(),
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
    resolvedBy: integer('resolved_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [index('kept_versions_open_idx').on(t.resolvedAt, t.createdAt)],
);
export type KeptVersion = typeof keptVersions.$inferSelect;

export const publishKinds = ['publish', 'rollback', 'nightly'] as const;
export const publishStatuses = ['running', 'succeeded', 'failed'] as const;

/**
 * Every publish of the library: who, when, which entries it added, changed or removed,
 * and how it ended. A failed one says at which step and why (check findings or the build's
 * error); a succeeded one names its build folder and, where the content folder is in a git
 * repository, its commit. src/lib/publishing/publishes.ts.
 */
export const publishes = sqliteTable(
  'publishes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: publishKinds }).notNull(),
    status: text('status', { enum: publishStatuses }).notNull(),
    /** Who asked; null for the nightly rebuild. */
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    /** For a rollback: the publish whose content it restores. */
    restoresId: integer('restores_id'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    /** The step under way, or the one that failed: snapshot, checks, build, trial, switch, done. */
    step: text('step').notNull(),
    /** The build's folder name inside the builds folder. */
    build: text('build'),
    changes: text('changes', { mode: 'json' }).$type<{ added: string[]; changed: string[]; removed: string[] }>(),
    /** The content checks' findings (the errors that stopped it, or the warnings it went live with). */
    findings: text('findings', { mode: 'json' }).$type<unknown[]>(),
    /** Why it failed, in words; or a note about its history (e.g. the commit could not be made). */
    message: text('message'),
    /** The git commit of the published content, where the content folder is in a repository. */
    commitSha: text('commit_sha'),
  },
  (t) => [index('publishes_started_idx').on(t.startedAt)],
);

export type Publish = typeof publishes.$inferSelect;
