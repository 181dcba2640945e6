/**
 * Putting messages in the outbox. Call `enqueueMail` inside the transaction of the event
 * that causes the message (the invitation, the reply, the password change), so the event
 * and its message are committed together or not at all:
 *
 *   await enqueueMail(tx, { kind: 'password-changed', userId, data: { how: 'changed' } }, now);
 *
 * What is written depends on the member's choice for the kind (./settings.ts): nothing
 * for "never", a row held for the daily or weekly digest, or a row queued to be sent.
 * The worker (./worker.ts) builds and sends queued rows; ./digests.ts gathers held ones.
 */
import { randomUUID } from 'node:crypto';
import { mailOutbox, type MailCadence, type MailKind } from '#db/schema.ts';
import type { Transaction } from '#lib/db.ts';
import { kindInfo, payloadSchemas, type Payload } from './kinds.ts';
import { cadencesOf } from './settings.ts';

export type NewMessage = {
  [K in MailKind]: {
    kind: K;
    /** The member it is for (every kind but invitation). */
    userId?: number;
    /** The address, for an invitation only. */
    to?: string;
    /** What it is about, for administrators' status views (`invitation:12`). */
    ref?: string;
    data: Payload<K>;
  };
}[MailKind];

/** Queues one message; returns its outbox id, or null when the member chose never to get this kind. */
export async function enqueueMail(tx: Transaction, message: NewMessage, now = new Date()): Promise<number | null> {
  const [row] = await outboxRows(tx, [message], now);
  if (!row) return null;
  const [inserted] = await tx.insert(mailOutbox).values(row).returning({ id: mailOutbox.id });
  return inserted!.id;
}

/** Queues several messages of any kinds (a new post telling many members); returns how many rows were written. */
export async function enqueueMails(tx: Transaction, messages: NewMessage[], now = new Date()): Promise<number> {
  const rows = await outboxRows(tx, messages, now);
  // SQLite limits the variables in one statement; 13 columns × 500 rows stays well under it.
  for (let i = 0; i < rows.length; i += 500) await tx.insert(mailOutbox).values(rows.slice(i, i + 500));
  return rows.length;
}

/** The rows to write: checked payloads, each member's choice applied, "never" left out. */
async function outboxRows(tx: Transaction, messages: NewMessage[], now: Date): Promise<(typeof mailOutbox.$inferInsert)[]> {
  const cadences = new Map<string, MailCadence>();
  for (const kind of new Set(messages.map((m) => m.kind))) {
    const userIds = messages.filter((m) => m.kind === kind && m.userId !== undefined).map((m) => m.userId!);
    for (const [userId, cadence] of await cadencesOf(tx, userIds, kind)) cadences.set(`${kind}:${userId}`, cadence);
  }
  const rows: (typeof mailOutbox.$inferInsert)[] = [];
  for (const message of messages) {
    const info = kindInfo[message.kind];
    if (info.toAddress ? !message.to : message.userId === undefined) throw new Error(`A ${message.kind} message needs ${info.toAddress ? 'an address' : 'a member'}`);
    const data = payloadSchemas[message.kind].parse(message.data);
    const cadence = message.userId === undefined ? 'immediately' : (cadences.get(`${message.kind}:${message.userId}`) ?? info.defaultCadence);
    if (cadence === 'never') continue;
    rows.push({
      kind: message.kind,
      userId: message.userId ?? null,
      toAddress: message.to ?? null,
      ref: message.ref ?? null,
      payload: data,
      messageKey: randomUUID(),
      status: cadence === 'immediately' ? 'queued' : 'held',
      digest: cadence === 'immediately' ? null : cadence,
      nextAttemptAt: now,
      createdAt: now,
    });
  }
  return rows;
}
