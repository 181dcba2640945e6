/**
 * A real SMTP server for tests (the `smtp-server` package) on a free localhost port; what
 * it accepts is parsed with `mailparser`. Integration tests read `sink.messages`; the e2e
 * suite's server runs in Playwright's global set-up, another process, so there the sink
 * also writes each accepted message to a folder that `readMailFolder` reads.
 *
 *   const sink = await startSmtpSink();
 *   process.env.SMTP_URL = sink.url;
 *   const mail = await sink.waitFor((m) => m.to === 'sam@example.org');
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface SinkMessage {
  /** A header as it was sent (mailparser folds List-* headers into one parsed `list` value). */
  header(name: string): string | undefined;
  /** The envelope recipient (one per message: the portal sends each message to one person). */
  to: string;
  messageId: string;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
  parsed: ParsedMail;
}

/** What the server says to a message it receives: accept it, or refuse it with a reply code. */
export type Verdict = { accept: true } | { accept: false; code: number; message: string };

export interface SinkOptions {
  /** Decides each message (n counts every DATA the server received, from 1). Default: accept. */
  verdict?: (n: number, message: SinkMessage) => Verdict | Promise<Verdict>;
  /** Decides each recipient at RCPT TO, before any DATA (a mailbox that does not exist). Default: accept. */
  recipient?: (address: string) => Verdict;
  /** Also write every accepted message to this folder (for another process to read). */
  folder?: string;
  /** Skip parsing (the benchmark): messages then hold only `to` and `messageId`. */
  light?: boolean;
}

export interface SmtpSink {
  url: string;
  port: number;
  /** Every message accepted, in order. */
  messages: SinkMessage[];
  /** How many messages reached DATA (accepted or not). */
  received(): number;
  waitFor(predicate: (m: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  close(): Promise<void>;
}

async function toMessage(raw: Buffer, to: string): Promise<SinkMessage> {
  const parsed = await simpleParser(raw);
  const header = (name: string) => {
    const line = parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line;
    return line?.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
  };
  return { to, messageId: parsed.messageId ?? '', subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', headers: parsed.headers, parsed, header };
}

export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  let received = 0;
  let fileCount = 0;
  if (options.folder) mkdirSync(options.folder, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // A reverse DNS lookup per connection would wait on this machine's resolver.
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      const verdict = options.recipient?.(address.address) ?? { accept: true };
      if (!verdict.accept) return callback(Object.assign(new Error(verdict.message), { responseCode: verdict.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const n = ++received;
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        if (options.light) {
          const messageId = /^Message-ID: (.*)$/im.exec(raw.toString('latin1'))?.[1]?.trim() ?? '';
          messages.push({ to, messageId } as SinkMessage);
          return callback(null, 'Accepted');
        }
        try {
          const message = await toMessage(raw, to);
          const verdict = options.verdict ? await options.verdict(n, message) : { accept: true as const };
          if (!verdict.accept) return callback(Object.assign(new Error(verdict.message), { responseCode: verdict.code }));
          messages.push(message);
          if (options.folder) {
            // Written whole, then renamed: a reader never sees half a message.
            const name = join(options.folder, String(++fileCount).padStart(6, '0'));
            writeFileSync(`${name}.part`, raw);
            renameSync(`${name}.part`, `${name}.eml`);
          }
          callback(null, 'Accepted');
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    received: () => received,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`No matching mail arrived within ${timeoutMs} ms (${messages.length} arrived)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Reads the messages a sink in another process wrote to `folder`, waiting for one that matches. */
export async function readMailFolder(folder: string, predicate: (m: SinkMessage) => boolean, timeoutMs = 15_000): Promise<SinkMessage> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, SinkMessage>();
  for (;;) {
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.eml')).sort()) {
      if (!seen.has(file)) {
        const parsed = await toMessage(readFileSync(join(folder, file)), '');
        seen.set(file, { ...parsed, to: parsed.parsed.to ? [parsed.parsed.to].flat().flatMap((a) => a.value.map((v) => v.address ?? '')).join(',') : '' });
      }
      const message = seen.get(file)!;
      if (predicate(message)) return message;
    }
    if (Date.now() > deadline) throw new Error(`No matching mail arrived in ${folder} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
