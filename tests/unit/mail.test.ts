import { describe, expect, it } from 'vitest';
import { renderMail } from '#lib/mail/compose.ts';
import { loadConfig } from '#lib/config.ts';
import { mailConfig, parseMailFrom } from '#lib/mail/config.ts';
import { headerText, subjectHeader } from '#lib/mail/headers.ts';
import { lastDailySlot, lastWeeklySlot } from '#lib/mail/schedule.ts';
import { londonTime } from '#lib/time.ts';
import { openLinkToken, sealLinkToken, unsubscribeToken, verifyUnsubscribeToken } from '#lib/mail/tokens.ts';

process.env.TOTP_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString('base64');

describe('mail configuration', () => {
  it('sends through SMTP_URL, or keeps mail when it is not set outside production', () => {
    expect(mailConfig(loadConfig({ SMTP_URL: 'smtp://user:secret@relay.example.org:587' })).mode).toBe('smtp');
    const kept = mailConfig(loadConfig({ SITE_URL: 'https://portal.example.org' }));
    expect(kept.mode).toBe('keep');
    expect(kept.from).toEqual({ name: 'National Modern Slavery Network', address: 'no-reply@portal.example.org' });
  });

  it('stops start-up in production without SMTP_URL or MAIL_FROM, with one line naming the variable', () => {
    expect(() => mailConfig(loadConfig({ NODE_ENV: 'production', MAIL_FROM: 'portal@example.org' }))).toThrow(/^Configuration error: SMTP_URL is required in production/);
    expect(() => mailConfig(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtps://relay.example.org' }))).toThrow(/^Configuration error: MAIL_FROM is required in production/);
    const message = (() => {
      try {
        mailConfig(loadConfig({ NODE_ENV: 'production', MAIL_FROM: 'portal@example.org' }));
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).not.toContain('\n');
  });

  it('refuses a bad SMTP_URL or MAIL_FROM, and never repeats the URL (it may hold a password)', () => {
    expect(() => mailConfig(loadConfig({ SMTP_URL: 'http://user:secret@relay.example.org' }))).toThrow(/^Configuration error: SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    try {
      mailConfig(loadConfig({ SMTP_URL: 'ftp://user:secret@relay' }));
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
    expect(() => mailConfig(loadConfig({ MAIL_FROM: 'a@example.org, b@example.org' }))).toThrow(/^Configuration error: MAIL_FROM must be one email address/);
    expect(() => mailConfig(loadConfig({ MAIL_WORKER: 'sometimes' }))).toThrow(/^Configuration error: MAIL_WORKER must be on or off/);
  });

  it('reads MAIL_FROM with or without a name, and refuses line breaks in it', () => {
    expect(parseMailFrom('"NMSN Portal" <portal@example.org>')).toEqual({ name: 'NMSN Portal', address: 'portal@example.org' });
    expect(parseMailFrom('portal@example.org')).toEqual({ name: '', address: 'portal@example.org' });
    expect(parseMailFrom('Portal <portal@example.org>\r\nBcc: x@example.org')).toBeNull();
    expect(parseMailFrom('not an address')).toBeNull();
  });
});

describe('header text', () => {
  it('flattens controls, separators and direction overrides to single spaces', () => {
    expect(headerText('a\r\nb\u2028c\u2029d\u0085e\u202ef\u0000g\th')).toBe('a b c d e f g h');
    expect(headerText('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('encodes a subject that is not plain ASCII or holds something like an encoded word', () => {
    expect(subjectHeader('A plain subject').value).toBe('A plain subject');
    expect(subjectHeader('=?utf-8?B?DQpCY2M6IHg=?=').value).toMatch(/^=\?UTF-8\?B\?/);
    expect(subjectHeader('Café').value).toMatch(/^=\?UTF-8\?B\?/);
    for (const line of subjectHeader('A long subject '.repeat(20)).value.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });
});

describe('Europe/London digest times', () => {
  it('finds 07:00 London in winter (GMT) and summer (BST)', () => {
    expect(londonTime(2026, 1, 15, 7).toISOString()).toBe('2026-01-15T07:00:00.000Z');
    expect(londonTime(2026, 7, 15, 7).toISOString()).toBe('2026-07-15T06:00:00.000Z');
  });

  it('gives the last slot at or before now, across midnight and the clock changes', () => {
    expect(lastDailySlot(new Date('2026-07-15T05:59:00Z'), 7).toISOString()).toBe('2026-07-14T06:00:00.000Z');
    expect(lastDailySlot(new Date('2026-07-15T06:00:00Z'), 7).toISOString()).toBe('2026-07-15T06:00:00.000Z');
    // The clocks went forward at 01:00 GMT on Sunday 29 March 2026.
    expect(lastDailySlot(new Date('2026-03-29T12:00:00Z'), 7).toISOString()).toBe('2026-03-29T06:00:00.000Z');
    expect(lastDailySlot(new Date('2026-03-28T12:00:00Z'), 7).toISOString()).toBe('2026-03-28T07:00:00.000Z');
    // …and back at 01:00 GMT on Sunday 25 October 2026.
    expect(lastDailySlot(new Date('2026-10-25T12:00:00Z'), 7).toISOString()).toBe('2026-10-25T07:00:00.000Z');
    expect(lastDailySlot(new Date('2026-10-24T12:00:00Z'), 7).toISOString()).toBe('2026-10-24T06:00:00.000Z');
    expect(lastDailySlot(new Date('2026-01-01T00:30:00Z'), 0).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('sends weekly digests on Monday mornings', () => {
    // Wednesday 16 December 2026 → Monday 14 December, 07:00 GMT.
    expect(lastWeeklySlot(new Date('2026-12-16T10:00:00Z'), 7).toISOString()).toBe('2026-12-14T07:00:00.000Z');
    // Monday before 07:00 → the Monday before.
    expect(lastWeeklySlot(new Date('2026-12-14T06:00:00Z'), 7).toISOString()).toBe('2026-12-07T07:00:00.000Z');
  });
});

describe('mail tokens', () => {
  it('seals a link token so only our key opens it', () => {
    const sealed = sealLinkToken('abcdefghijklmnopqrstuvwxyz234567');
    expect(sealed).not.toContain('abcdefghijklmnop');
    expect(openLinkToken(sealed)).toBe('abcdefghijklmnopqrstuvwxyz234567');
    expect(openLinkToken(`${sealed.slice(0, -2)}AA`)).toBeNull();
    expect(openLinkToken(undefined)).toBeNull();
  });

  it('signs unsubscribe tokens and refuses a changed member, scope or signature of the same length', () => {
    const token = unsubscribeToken({ userId: 42, scope: 'mention' });
    expect(verifyUnsubscribeToken(token)).toEqual({ userId: 42, scope: 'mention' });
    const [, , signature] = token.split('.');
    expect(verifyUnsubscribeToken(`43.mention.${signature}`)).toBeNull();
    expect(verifyUnsubscribeToken(`42.quote.${signature}`)).toBeNull();
    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    expect(verifyUnsubscribeToken(`42.mention.${flipped}`)).toBeNull();
    expect(verifyUnsubscribeToken('42.mention')).toBeNull();
    expect(verifyUnsubscribeToken(`${token}.extra`)).toBeNull();
  });
});

describe('rendering', () => {
  it('escapes members’ text in the HTML part and keeps it readable in the text part', () => {
    const mail = renderMail(
      {
        subject: 'A <b>title</b>',
        greeting: 'Hello <script>alert(1)</script>,',
        blocks: [
          { type: 'p', text: 'Tom & "Jerry"' },
          { type: 'action', label: 'Read the post', url: 'https://portal.example.org/forum/p/1?a=1&b=2' },
          { type: 'quote', text: 'quoted', html: '<p>See <a href="/forum/p/2">this</a></p>' },
        ],
        reason: 'Because.',
        settingsUrl: 'https://portal.example.org/account/email',
      },
      new URL('https://portal.example.org'),
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(mail.html).toContain('Tom &amp; &quot;Jerry&quot;');
    expect(mail.html).toContain('href="https://portal.example.org/forum/p/1?a=1&amp;b=2"');
    expect(mail.html).toContain('<a href="https://portal.example.org/forum/p/2">this</a>');
    expect(mail.html).toContain('<title>A &lt;b&gt;title&lt;/b&gt;</title>');
    expect(mail.text).toContain('Read the post:\nhttps://portal.example.org/forum/p/1?a=1&b=2');
    expect(mail.text).toContain('> quoted');
    expect(mail.text).toContain('Change which emails you get: https://portal.example.org/account/email');
  });
});
