/**
 * Handing a built message to the SMTP server (nodemailer), and reading what happened:
 *
 * - sent: the server accepted it (a 250 after DATA);
 * - temporary: a 4xx reply, a refused or dropped connection, a timeout: try again later;
 * - permanent: a 5xx reply (the address does not exist, the message is refused): stop.
 *
 * Outside production with no SMTP_URL, the "keep" transport builds the same message and
 * keeps its subject and text for administrators to read at /admin/outbox.
 */
import nodemailer, { type NodemailerError, type SendMailOptions } from 'nodemailer';
import type { MailAddress, MailConfig } from './config.ts';
import { headerText, subjectHeader } from './headers.ts';
import type { RenderedMail } from './compose.ts';

export interface OutgoingMail extends RenderedMail {
  to: MailAddress;
  /** `<key@domain>`: the same on every attempt, so a repeat can be recognised by whoever receives it. */
  messageId: string;
  /** One-click unsubscribe (RFC 8058) address, for mail members can choose not to get. */
  unsubscribeUrl?: string;
}

export type SendOutcome =
  | { status: 'sent'; response: string }
  | { status: 'kept'; keptText: string }
  | { status: 'temporary'; error: string }
  | { status: 'permanent'; error: string };

export interface MailTransport {
  /** `signal` ends an attempt that takes too long (it is then a temporary failure). */
  send(mail: OutgoingMail, signal?: AbortSignal): Promise<SendOutcome>;
  close(): void;
}

export interface TransportTimeouts {
  /** To open the connection (and get the greeting). */
  connectionMs: number;
  /** Of silence on an open connection. */
  socketMs: number;
}

/**
 * Short enough that an attempt ends well inside the worker's lease (./worker.ts), so a
 * slow server never lets a second worker start the same message.
 */
export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectionMs: 30_000, socketMs: 60_000 };

function message(from: MailAddress, mail: OutgoingMail): SendMailOptions {
  return {
    from: { name: from.name, address: from.address },
    to: { name: headerText(mail.to.name, 100), address: mail.to.address },
    headers: {
      Subject: subjectHeader(mail.subject),
      ...(mail.unsubscribeUrl ? { 'List-Unsubscribe': `<${mail.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
      // Tells auto-responders (out of office) not to answer.
      'Auto-Submitted': 'auto-generated',
    },
    messageId: mail.messageId,
    text: mail.text,
    html: mail.html,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The SMTP server's words for a failure, short, on one line: for administrators, never the message. */
function describe(error: NodemailerError): string {
  const reply = error.response ? headerText(error.response, 300) : null;
  return reply ?? `${error.code ?? 'Error'}: ${headerText(error.message, 200)}`;
}

export function createMailTransport(config: MailConfig, timeouts: TransportTimeouts = DEFAULT_TIMEOUTS): MailTransport {
  if (config.mode === 'keep') {
    const keep = nodemailer.createTransport({ streamTransport: true, buffer: true });
    return {
      async send(mail) {
        await keep.sendMail(message(config.from, mail));
        return { status: 'kept', keptText: `To: ${mail.to.address}\nSubject: ${headerText(mail.subject, 250)}\n\n${mail.text}` };
      },
      close: () => keep.close(),
    };
  }
  const smtp = nodemailer.createTransport({
    url: config.smtpUrl!,
    pool: true,
    maxConnections: 3,
    // Our outbox retries; a message must not be re-sent behind its back.
    maxRequeues: 0,
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.connectionMs,
    socketTimeout: timeouts.socketMs,
    dnsTimeout: timeouts.connectionMs,
  });
  return {
    async send(mail, signal) {
      try {
        const info = await smtp.sendMail({ ...message(config.from, mail), signal });
        if (info.accepted.length > 0) return { status: 'sent', response: headerText(info.response, 300) };
        return { status: 'permanent', error: `The server refused the recipient: ${headerText(info.response, 280)}` };
      } catch (error) {
        const e = error as NodemailerError;
        return e.permanent ? { status: 'permanent', error: describe(e) } : { status: 'temporary', error: describe(e) };
      }
    },
    close: () => smtp.close(),
  };
}
