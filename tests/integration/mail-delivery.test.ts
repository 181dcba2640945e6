/**
 * The outbox and its worker against a real SMTP server (smtp-server on a free port):
 * retries, permanent failures, leases shared by several processes, a worker killed
 * mid-queue, mail kept without a server, and headers that members' text cannot break.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mailOutbox, users } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { loadConfig } from '#lib/config.ts';
import { mailConfig, type MailConfig } from '#lib/mail/config.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { createMailTransport } from '#lib/mail/transport.ts';
import { retryDelayMs, sendDueMail, type WorkerOptions } from '#lib/mail/worker.ts';
import { startSmtpSink, type SmtpSink, type Verdict } from '#tests/smtp-sink.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

const workerScript = fileURLToPath(new URL('./fixtures/mail-worker.ts', import.meta.url));
const SITE = 'https://portal.example.org';
const fast: WorkerOptions = { retry: { baseMs: 1, capMs: 5, maxAttempts: 6 } };

function configFor(sink: { url: string } | null): MailConfig {
  return mailConfig(loadConfig({ SMTP_URL: sink?.url, SITE_URL: SITE, MAIL_FROM: 'NMSN Portal <portal@example.org>' }));
}

/** Runs passes until no row is queued any more (retries included), or fails after a while. */
async function drain(db: Database, config: MailConfig, options: WorkerOptions = fast) {
  const transport = createMailTransport(config, { connectionMs: 2_000, socketMs: 2_000 });
  try {
    for (let i = 0; i < 400; i++) {
      await sendDueMail(db, config, transport, options);
      const waiting = await db.select({ id: mailOutbox.id }).from(mailOutbox).where(eq(mailOutbox.status, 'queued')).all();
      if (waiting.length === 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('The outbox did not drain');
  } finally {
    transport.close();
  }
}

async function queuePasswordNotices(db: Database, userIds: number[]) {
  await write(db, async (tx) => {
    for (const userId of userIds) await enqueueMail(tx, { kind: 'password-changed', userId, data: { how: 'changed' } });
  });
}

const rows = (db: Database) => db.select().from(mailOutbox).all();

let t: TestDatabase;
let sink: SmtpSink | undefined;
const children: ChildProcess[] = [];
beforeEach(async () => {
  t = await freshDatabase();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await sink?.close();
  sink = undefined;
  t.cleanup();
});

describe('delivery', () => {
  it('sends a queued message once, to the member, with a stable Message-ID, and records the acceptance', async () => {
    sink = await startSmtpSink();
    const { user } = await createTestUser(t.db, { displayName: 'Priya Patel' });
    await queuePasswordNotices(t.db, [user.id]);
    await drain(t.db, configFor(sink));

    expect(sink.messages).toHaveLength(1);
    const [mail] = sink.messages;
    expect(mail!.to).toBe(user.email);
    expect(mail!.subject).toBe('Your password was changed');
    expect(mail!.text).toContain('Hello Priya Patel,');
    expect(mail!.text).toContain(`${SITE}/account/email`);
    expect(mail!.html).toContain('<html lang="en">');
    expect(mail!.parsed.from?.value[0]).toEqual({ name: 'NMSN Portal', address: 'portal@example.org' });
    const [row] = await rows(t.db);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, toAddress: user.email, leaseOwner: null });
    expect(mail!.messageId).toBe(`<${row!.messageKey}@example.org>`);
    // A second pass finds nothing to do.
    await drain(t.db, configFor(sink));
    expect(sink.messages).toHaveLength(1);
  });

  it('retries a server that refuses three times with 4xx, and delivers exactly once', async () => {
    const verdict = (n: number): Verdict => (n <= 3 ? { accept: false, code: 451, message: 'Try again later' } : { accept: true });
    sink = await startSmtpSink({ verdict });
    const { user } = await createTestUser(t.db);
    await queuePasswordNotices(t.db, [user.id]);
    await drain(t.db, configFor(sink));

    expect(sink.received()).toBe(4);
    expect(sink.messages).toHaveLength(1);
    const [row] = await rows(t.db);
    expect(row).toMatchObject({ status: 'sent', attempts: 4 });
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(1);
  });

  it('marks a message failed on a 5xx, with the server’s reply for administrators, and stops trying', async () => {
    sink = await startSmtpSink({ verdict: () => ({ accept: false, code: 550, message: 'No such mailbox here' }) });
    const { user } = await createTestUser(t.db);
    await queuePasswordNotices(t.db, [user.id]);
    await drain(t.db, configFor(sink));
    await drain(t.db, configFor(sink));

    expect(sink.received()).toBe(1);
    const [row] = await rows(t.db);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.lastError).toMatch(/550.*No such mailbox here/);
  });

  it('marks a message to a bounced address (refused at RCPT TO, before any text is sent) failed at once, with the reason', async () => {
    sink = await startSmtpSink({ recipient: (address) => (address.startsWith('gone-') ? { accept: false, code: 550, message: '5.1.1 No such user here' } : { accept: true }) });
    const { user: gone } = await createTestUser(t.db, { email: `gone-${Date.now()}@example.org` });
    const { user: present } = await createTestUser(t.db);
    await queuePasswordNotices(t.db, [gone.id, present.id]);
    await drain(t.db, configFor(sink));
    await drain(t.db, configFor(sink));

    expect(sink.received()).toBe(1);
    expect(sink.messages.map((m) => m.to)).toEqual([present.email]);
    const failed = (await rows(t.db)).find((r) => r.userId === gone.id)!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(/550.*No such user here/);
  });

  it('gives up after the last attempt of temporary failures, and says so', async () => {
    sink = await startSmtpSink({ verdict: () => ({ accept: false, code: 421, message: 'Busy' }) });
    const { user } = await createTestUser(t.db);
    await queuePasswordNotices(t.db, [user.id]);
    await drain(t.db, configFor(sink), { retry: { baseMs: 1, capMs: 2, maxAttempts: 3 } });
    const [row] = await rows(t.db);
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row!.lastError).toMatch(/^Gave up after 3 attempts/);
  });

  it('waits longer after each temporary failure, with jitter, up to the cap', () => {
    const policy = { baseMs: 1_000, capMs: 60_000, maxAttempts: 10 };
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, policy, () => 0)).toBe(2_000);
    expect(retryDelayMs(3, policy, () => 1)).toBe(4_000);
    expect(retryDelayMs(20, policy, () => 1)).toBe(60_000);
  });

  it('keeps trying an unreachable server without losing the message, and writes go on meanwhile', async () => {
    // A server that accepts connections and never says hello.
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const { user } = await createTestUser(t.db);
    await queuePasswordNotices(t.db, [user.id]);
    const config = configFor({ url: `smtp://127.0.0.1:${port}` });
    const transport = createMailTransport(config, { connectionMs: 300, socketMs: 300 });
    const pass = sendDueMail(t.db, config, transport, fast);
    // While the worker waits on the server, the portal keeps writing.
    await queuePasswordNotices(t.db, [user.id]);
    await pass;
    transport.close();
    await new Promise<void>((resolve) => silent.close(() => resolve()));

    const [first] = await rows(t.db);
    expect(first).toMatchObject({ status: 'queued', attempts: 1, leaseOwner: null });
    expect(first!.lastError).toMatch(/timeout|Greeting never received|ETIMEDOUT/i);

    // The server comes back: the message goes, once.
    sink = await startSmtpSink();
    await drain(t.db, configFor(sink));
    expect(sink.messages).toHaveLength(2);
  });

  it('sends nothing to a member suspended or erased after the message was queued', async () => {
    sink = await startSmtpSink();
    const { user: suspended } = await createTestUser(t.db);
    const { user: erased } = await createTestUser(t.db);
    await queuePasswordNotices(t.db, [suspended.id, erased.id]);
    await write(t.db, async (tx) => {
      await tx.update(users).set({ status: 'suspended' }).where(eq(users.id, suspended.id));
      await tx.delete(users).where(eq(users.id, erased.id));
    });
    await drain(t.db, configFor(sink));
    expect(sink.messages).toHaveLength(0);
    const remaining = await rows(t.db);
    // The erased member's mail went with them; the suspended member's is skipped, with why.
    expect(remaining).toHaveLength(1);
    expect(remaining[0]).toMatchObject({ status: 'skipped', lastError: 'The member is suspended or no longer exists.' });
  });

  it('keeps mail for administrators when no SMTP server is configured (outside production)', async () => {
    const { user } = await createTestUser(t.db);
    await queuePasswordNotices(t.db, [user.id]);
    const config = configFor(null);
    expect(config.mode).toBe('keep');
    await drain(t.db, config);
    const [row] = await rows(t.db);
    expect(row).toMatchObject({ status: 'kept', toAddress: user.email });
    expect(row!.keptText).toContain('Subject: Your password was changed');
    expect(row!.keptText).toContain('Hello Test member');
  });
});

describe('header safety', () => {
  const hostile = [
    'Evil\r\nBcc: victim@example.org',
    'Evil\nX-Injected: yes',
    'Line\u2028Separator\u2029Paragraph\u0085Next',
    '=?utf-8?B?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?=',
    '=?utf-8?Q?=0D=0ABcc:_victim@example.org?=',
    '\u202eReversed\u202c name',
  ];

  it('keeps CR/LF, Unicode separators and encoded words in names out of the headers', async () => {
    sink = await startSmtpSink();
    for (const name of hostile) {
      const { user } = await createTestUser(t.db, { displayName: name });
      await write(t.db, (tx) => enqueueMail(tx, { kind: 'new-sign-in', userId: user.id, data: { browser: name, ip: null, at: Date.now() } }));
    }
    await drain(t.db, configFor(sink));
    expect(sink.messages).toHaveLength(hostile.length);
    for (const mail of sink.messages) {
      const names = [...mail.headers.keys()];
      expect(names).not.toContain('bcc');
      expect(names).not.toContain('x-injected');
      expect(mail.parsed.to && [mail.parsed.to].flat().flatMap((a) => a.value)).toHaveLength(1);
      // What the reader's mail program shows is our text, on one line, encoded words and all.
      expect(mail.subject).not.toMatch(/[\r\n\u2028\u2029\u0085\u202e]/);
      expect(mail.subject.startsWith('New sign-in to your account from ')).toBe(true);
    }
    const subjects = sink.messages.map((m) => m.subject);
    expect(subjects).toContain('New sign-in to your account from =?utf-8?B?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?=');
    expect(subjects).toContain('New sign-in to your account from Evil Bcc: victim@example.org');
  });
});

/** Starts the worker as another process; resolves when it is ready. */
function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [workerScript], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

async function untilAllDone(db: Database, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await rows(db);
    if (all.every((r) => r.status !== 'queued')) return all;
    if (Date.now() > deadline) throw new Error(`Still queued: ${all.filter((r) => r.status === 'queued').length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('several workers', () => {
  it('two worker processes on one database send each message exactly once', async () => {
    sink = await startSmtpSink();
    const members = await Promise.all(Array.from({ length: 10 }, () => createTestUser(t.db, { passwordHash: 'x' })));
    for (let round = 0; round < 4; round++) await queuePasswordNotices(t.db, members.map((m) => m.user.id));
    // Leases long enough that a slow send on a busy machine never outlives one.
    const env = { DATABASE_URL: t.url, SMTP_URL: sink.url, SITE_URL: SITE, MAIL_FROM: 'portal@example.org', LEASE_MS: '10000' };
    await Promise.all([spawnWorker({ ...env, WORKER_ID: 'worker-a' }), spawnWorker({ ...env, WORKER_ID: 'worker-b' })]);
    const done = await untilAllDone(t.db);

    expect(done.every((r) => r.status === 'sent')).toBe(true);
    expect(sink.messages).toHaveLength(40);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(40);
  });

  it('a worker killed mid-queue and started again loses nothing and sends nothing twice', async () => {
    let victim: ChildProcess | undefined;
    sink = await startSmtpSink({
      verdict: async (n) => {
        if (n !== 5) return { accept: true };
        // The worker dies while the server is still receiving the fifth message.
        victim!.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 50));
        return { accept: false, code: 451, message: 'Connection lost' };
      },
    });
    const members = await Promise.all(Array.from({ length: 12 }, () => createTestUser(t.db, { passwordHash: 'x' })));
    await queuePasswordNotices(t.db, members.map((m) => m.user.id));
    const env = { DATABASE_URL: t.url, SMTP_URL: sink.url, SITE_URL: SITE, MAIL_FROM: 'portal@example.org', CONCURRENCY: '1', LEASE_MS: '3000' };
    victim = await spawnWorker({ ...env, WORKER_ID: 'first' });
    await new Promise((resolve) => victim!.once('exit', resolve));
    expect(sink.messages).toHaveLength(4);

    await spawnWorker({ ...env, WORKER_ID: 'second' });
    const done = await untilAllDone(t.db);
    expect(done.every((r) => r.status === 'sent')).toBe(true);
    expect(sink.messages).toHaveLength(12);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(12);
  });
});

