/**
 * Text from members (display names, organisation names, thread titles) ends up in mail
 * headers. nodemailer folds CR/LF in a Subject into a space, but it passes other line
 * separators through and, when the text is plain ASCII, writes it as is: a title such as
 * `=?utf-8?B?DQpCY2M6IC4uLg==?=` would then be decoded by the reader's mail program into
 * a line break and a fake "Bcc:". So every header value we build goes through here:
 *
 * 1. `headerText` removes what has no place in a one-line header: control characters,
 *    Unicode line and paragraph separators, text-direction overrides; runs of space
 *    become one space.
 * 2. `subjectHeader` encodes the result as RFC 2047 encoded words whenever it is not
 *    plain ASCII or contains `=?`, so whatever the reader decodes is exactly our text.
 */
import { encodeWord, foldLines } from 'nodemailer/lib/mime-funcs';

/** C0/C1 controls, DEL, line/paragraph separators, bidi embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One line of text, safe to put in a header (or a digest line); at most `max` characters. */
export function headerText(value: string, max = 200): string {
  const flat = value.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/**
 * The Subject header: plain when that is safe, otherwise encoded words, folded at 76
 * characters. Returned as nodemailer's "prepared" header value, which it sends unchanged.
 */
export function subjectHeader(subject: string): { prepared: true; value: string } {
  const text = headerText(subject, 250);
  const plain = /^[\x20-\x7e]*$/.test(text) && !text.includes('=?');
  const value = plain ? text : encodeWord(text, 'B', 52);
  return { prepared: true, value: foldLines(`Subject: ${value}`, 76).slice('Subject: '.length) };
}
