/**
 * The worker that sends the outbox. It runs inside the server process (startMailWorker)
 * and from `npm run mail:send` (sendDueMail once), and any number of them may share one
 * database:
 *
 * 1. Claim: one UPDATE … RETURNING takes a few due rows and writes this worker's name and
 *    a lease (5 minutes) on them. A row whose lease is current belongs to its worker; a
 *    row whose worker died is free again once its lease runs out.
 * 2. Just before sending, if less of the lease is left than an attempt may take, it is
 *    renewed, and only if this worker still holds it, so a message is never handed to the
 *    SMTP server by two workers.
 * 3. Build the message from the database as it is now (a suspended member, a hidden post,
 *    a revoked invitation: nothing is sent), and send it with an attempt deadline well
 *    inside the lease.
 * 4. Record what happened at once, before the next message: accepted (sent), refused for
 *    good (failed: 5xx), or to be retried (4xx, no connection, timeout) after an
 *    exponential back-off with jitter; after `maxAttempts` it is failed too. Administrators
 *    see failures at /admin/outbox.
 *
 * The one window left: if the process dies after the server accepted a message and before
 * step 4 was written, the message is sent again when its lease runs out. Every attempt
 * carries the same Message-ID, so mail systems that de-duplicate recognise the repeat.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { mailOutbox, type OutboxRow } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { renderMail } from './compose.ts';
import type { MailConfig } from './config.ts';
import { buildDigest, createDueDigests } from './digests.ts';
import { kindInfo } from './kinds.ts';
import { buildMessage, type BuildContext, type Built } from './messages.ts';
import { findRecipient } from './recipients.ts';
import { getMailSettings } from './settings.ts';
import { createMailTransport, type MailTransport, type SendOutcome } from './transport.ts';

export interface RetryPolicy {
  /** The first wait; each later one doubles, up to `capMs`. */
  baseMs: number;
  capMs: number;
  /** After this many attempts a temporary failure is given up as failed. */
  maxAttempts: number;
}

/** About a day and a half of retries: 1, 2, 4 … minutes, then every 6 hours. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, capMs: 6 * 60 * 60_000, maxAttempts: 12 };

export interface WorkerOptions {
  /** Names this worker in leases (host, process and a random part by default). */
  workerId?: string;
  leaseMs?: number;
  /** Rows claimed at once; small, so nothing waits long under another worker's lease. */
  batchSize?: number;
  /** Messages in flight at once (the SMTP pool's connections). */
  concurrency?: number;
  retry?: RetryPolicy;
  now?: () => Date;
}

const LEASE_MS = 5 * 60_000;
/**
 * An attempt is abandoned (and retried) after this, or after half the lease if that is
 * shorter: the lease must outlast the attempt, or another worker could start the same
 * message while this one is still sending it.
 */
const ATTEMPT_DEADLINE_MS = 2 * 60_000;

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** Exponential back-off with "equal jitter": half the wait is fixed, half random, so retries spread out but still grow. */
export function retryDelayMs(attempts: number, policy: RetryPolicy = DEFAULT_RETRY, random = Math.random): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export interface PassResult {
  sent: number;
  kept: number;
  failed: number;
  retrying: number;
  skipped: number;
}

interface Run {
  db: Database;
  config: MailConfig;
  transport: MailTransport;
  workerId: string;
  leaseMs: number;
  retry: RetryPolicy;
  now: () => Date;
}

/** Takes up to `limit` due rows for this worker. */
async function claim(run: Run, limit: number): Promise<OutboxRow[]> {
  const now = run.now();
  const free = and(eq(mailOutbox.status, 'queued'), lte(mailOutbox.nextAttemptAt, now), or(isNull(mailOutbox.leaseUntil), lt(mailOutbox.leaseUntil, now)));
  const due = run.db.select({ id: mailOutbox.id }).from(mailOutbox).where(free).orderBy(asc(mailOutbox.nextAttemptAt), asc(mailOutbox.id)).limit(limit);
  return write(run.db, (tx) =>
    tx
      .update(mailOutbox)
      .set({ leaseOwner: run.workerId, leaseUntil: new Date(now.getTime() + run.leaseMs), attempts: sql`${mailOutbox.attempts} + 1` })
      .where(and(inArray(mailOutbox.id, due), free))
      .returning(),
  );
}

/** Only the worker holding a row may change it. */
const held = (run: Run, id: number) => and(eq(mailOutbox.id, id), eq(mailOutbox.leaseOwner, run.workerId), eq(mailOutbox.status, 'queued'));

/** How long one attempt may take: well inside the lease (see ATTEMPT_DEADLINE_MS). */
const attemptDeadline = (run: Run) => Math.min(ATTEMPT_DEADLINE_MS, Math.floor(run.leaseMs / 2));

/**
 * True when this worker may start an attempt now: its lease outlasts the attempt, renewed
 * first (if no other worker has taken the row) when too little of it is left.
 */
async function holdFor(run: Run, row: OutboxRow): Promise<boolean> {
  const now = run.now().getTime();
  if (row.leaseUntil && row.leaseUntil.getTime() - now > attemptDeadline(run)) return true;
  const result = await write(run.db, (tx) => tx.update(mailOutbox).set({ leaseUntil: new Date(now + run.leaseMs) }).where(held(run, row.id)));
  return result.rowsAffected === 1;
}

/** A finished row keeps no secret: the sealed link token goes. */
async function finish(run: Run, id: number, set: Partial<typeof mailOutbox.$inferInsert>): Promise<void> {
  await write(run.db, (tx) =>
    tx
      .update(mailOutbox)
      .set({ ...set, doneAt: run.now(), leaseOwner: null, leaseUntil: null, payload: sql`json_remove(${mailOutbox.payload}, '$.token')` })
      .where(held(run, id)),
  );
}

async function record(run: Run, row: OutboxRow, outcome: SendOutcome, to: string): Promise<keyof PassResult> {
  switch (outcome.status) {
    case 'sent':
      await finish(run, row.id, { status: 'sent', toAddress: to, lastError: null });
      return 'sent';
    case 'kept':
      await finish(run, row.id, { status: 'kept', toAddress: to, keptText: outcome.keptText, lastError: null });
      return 'kept';
    case 'permanent':
      await finish(run, row.id, { status: 'failed', toAddress: to, lastError: outcome.error });
      return 'failed';
    case 'temporary':
      if (row.attempts >= run.retry.maxAttempts) {
        await finish(run, row.id, { status: 'failed', toAddress: to, lastError: `Gave up after ${row.attempts} attempts. Last: ${outcome.error}` });
        return 'failed';
      }
      await write(run.db, (tx) =>
        tx
          .update(mailOutbox)
          .set({ nextAttemptAt: new Date(run.now().getTime() + retryDelayMs(row.attempts, run.retry)), lastError: outcome.error, leaseOwner: null, leaseUntil: null })
          .where(held(run, row.id)),
      );
      return 'retrying';
  }
}

/** Builds a claimed row as it should be sent now, or why it should not be. */
async function build(run: Run, row: OutboxRow): Promise<{ built: Built; to: { name: string; address: string } | null }> {
  const recipient = row.userId === null ? null : await findRecipient(run.db, row.userId);
  if (row.userId !== null && (!recipient || recipient.status !== 'active')) {
    return { built: { ok: false, skip: 'The member is suspended or no longer exists.' }, to: null };
  }
  const settings = recipient ? await getMailSettings(run.db, recipient.id) : null;
  if (settings && kindInfo[row.kind].choice !== 'always' && settings.cadences[row.kind] === 'never') {
    return { built: { ok: false, skip: 'The member has turned this kind of email off.' }, to: null };
  }
  const ctx: BuildContext = { db: run.db, recipient, settings, siteOrigin: run.config.siteOrigin, now: run.now() };
  const built = row.kind === 'digest' ? await buildDigest(ctx, row) : await buildMessage(ctx, row);
  const to = recipient ? { name: recipient.displayName, address: recipient.email } : { name: '', address: row.toAddress! };
  return { built, to };
}

async function deliver(run: Run, row: OutboxRow): Promise<keyof PassResult> {
  let outcome: SendOutcome;
  let to: { name: string; address: string } | null;
  try {
    const result = await build(run, row);
    to = result.to;
    if (!result.built.ok) {
      await finish(run, row.id, { status: 'skipped', lastError: result.built.skip });
      return 'skipped';
    }
    if (!(await holdFor(run, row))) return 'skipped';
    const rendered = renderMail(result.built.content, run.config.siteOrigin);
    const domain = run.config.from.address.split('@')[1];
    outcome = await run.transport.send(
      { ...rendered, to: to!, messageId: `<${row.messageKey}@${domain}>`, unsubscribeUrl: result.built.content.unsubscribe?.url },
      AbortSignal.timeout(attemptDeadline(run)),
    );
  } catch (error) {
    // A fault of ours (or of the database) while building: retried like a temporary failure.
    console.error(`Mail: message ${row.id} (${row.kind}) could not be built: ${error instanceof Error ? error.message : String(error)}`);
    outcome = { status: 'temporary', error: 'The portal could not build this message; it will try again.' };
    to = null;
  }
  return record(run, row, outcome, to?.address ?? row.toAddress ?? '');
}

/**
 * Sends everything due now, a few at a time, until nothing due is left (or `stopping()`
 * says to stop between batches). Returns what happened to each message it claimed.
 */
export async function sendDueMail(
  db: Database,
  config: MailConfig,
  transport: MailTransport,
  options: WorkerOptions = {},
  stopping: () => boolean = () => false,
): Promise<PassResult> {
  const run: Run = {
    db,
    config,
    transport,
    workerId: options.workerId ?? defaultWorkerId(),
    leaseMs: options.leaseMs ?? LEASE_MS,
    retry: options.retry ?? DEFAULT_RETRY,
    now: options.now ?? (() => new Date()),
  };
  const batchSize = options.batchSize ?? 6;
  const concurrency = Math.max(1, options.concurrency ?? 3);
  const totals: PassResult = { sent: 0, kept: 0, failed: 0, retrying: 0, skipped: 0 };
  while (!stopping()) {
    const rows = await claim(run, batchSize);
    if (rows.length === 0) break;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
        while (next < rows.length) totals[await deliver(run, rows[next++]!)]++;
      }),
    );
    if (rows.length < batchSize) break;
  }
  return totals;
}

export interface RunningWorker {
  /** Finishes the messages in hand, then stops. */
  stop(): Promise<void>;
}

export interface StartOptions extends WorkerOptions {
  /** How often to look for due mail. */
  pollMs?: number;
  /** How often to make due digests. */
  digestEveryMs?: number;
  transport?: MailTransport;
}

/** The worker inside the server process: looks for due mail every few seconds and makes digests every minute. */
export function startMailWorker(db: Database, config: MailConfig, options: StartOptions = {}): RunningWorker {
  const transport = options.transport ?? createMailTransport(config);
  const pollMs = options.pollMs ?? 2_000;
  const digestEveryMs = options.digestEveryMs ?? 60_000;
  const workerOptions = { ...options, workerId: options.workerId ?? defaultWorkerId() };
  let stopped = false;
  let wake: () => void = () => {};
  const loop = (async () => {
    let lastDigests = 0;
    while (!stopped) {
      try {
        if (Date.now() - lastDigests >= digestEveryMs) {
          lastDigests = Date.now();
          await createDueDigests(db, (options.now ?? (() => new Date()))());
        }
        const result = await sendDueMail(db, config, transport, workerOptions, () => stopped);
        if (result.failed > 0) console.error(`Mail: ${result.failed} message(s) failed for good; see /admin/outbox.`);
      } catch (error) {
        // The database was busy or unreachable: the rows stay in the outbox for the next round.
        console.error(`Mail worker: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!stopped) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, pollMs).unref()));
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
      transport.close();
    },
  };
}
