/**
 * Every message is described once, as blocks, and rendered twice: plain text, and simple
 * HTML that reads well in any mail program and with a screen reader (one column, real
 * paragraphs and lists, links that say where they go, `lang="en"`, no images, no layout
 * tables). Everything from members is escaped here; only a forum post's own HTML, which
 * went through the forum's allow-list sanitiser when it was saved, is passed through.
 */
import { escapeHtml } from '#lib/html.ts';
import { siteName } from '#lib/site.ts';

export type Block =
  | { type: 'p'; text: string }
  /** The message's main link, shown as a prominent link with its address in the text part. */
  | { type: 'action'; label: string; url: string }
  | { type: 'facts'; rows: [label: string, value: string][] }
  /** A post's text: `text` for the plain part, sanitised `html` for the HTML part. */
  | { type: 'quote'; text: string; html?: string }
  | { type: 'items'; items: { text: string; url: string; quote?: { text: string; html?: string } }[] };

export interface MailContent {
  subject: string;
  /** "Hello <name>," when known. */
  greeting?: string;
  blocks: Block[];
  /** Why they get it, in one sentence. */
  reason: string;
  /** Where to change which mail they get (members only). */
  settingsUrl?: string;
  /** One-click unsubscribe for this kind of mail (also sent as List-Unsubscribe). */
  unsubscribe?: { label: string; url: string };
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Relative links in a post (`/forum/p/3`) would point nowhere in a mail program. */
function absoluteLinks(html: string, origin: URL): string {
  return html.replace(/(href|src)="\/(?!\/)/g, `$1="${origin.origin}/`);
}

const BODY_STYLE = 'margin:0;padding:0;background:#ffffff;color:#0b0c0c;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5';
const LINK_STYLE = 'color:#1d70b8;text-decoration:underline';

function blockHtml(block: Block, origin: URL): string {
  switch (block.type) {
    case 'p':
      return `<p style="margin:0 0 16px">${escapeHtml(block.text)}</p>`;
    case 'action':
      return `<p style="margin:0 0 24px;font-size:19px;font-weight:bold"><a href="${escapeHtml(block.url)}" style="${LINK_STYLE}">${escapeHtml(block.label)}</a></p>`;
    case 'facts':
      return `<dl style="margin:0 0 16px">${block.rows
        .map(([label, value]) => `<dt style="font-weight:bold">${escapeHtml(label)}</dt><dd style="margin:0 0 8px">${escapeHtml(value)}</dd>`)
        .join('')}</dl>`;
    case 'quote':
      return quoteHtml(block, origin);
    case 'items':
      return `<ul style="margin:0 0 16px;padding-left:20px">${block.items
        .map((item) => `<li style="margin:0 0 12px"><a href="${escapeHtml(item.url)}" style="${LINK_STYLE}">${escapeHtml(item.text)}</a>${item.quote ? quoteHtml(item.quote, origin) : ''}</li>`)
        .join('')}</ul>`;
  }
}

function quoteHtml(quote: { text: string; html?: string }, origin: URL): string {
  const inner = quote.html ? absoluteLinks(quote.html, origin) : `<p>${escapeHtml(quote.text)}</p>`;
  return `<blockquote style="margin:8px 0 16px;padding:0 0 0 12px;border-left:4px solid #b1b4b6">${inner}</blockquote>`;
}

function blockText(block: Block): string {
  switch (block.type) {
    case 'p':
      return block.text;
    case 'action':
      return `${block.label}:\n${block.url}`;
    case 'facts':
      return block.rows.map(([label, value]) => `${label}: ${value}`).join('\n');
    case 'quote':
      return quoteText(block.text);
    case 'items':
      return block.items.map((item) => `- ${item.text}\n  ${item.url}${item.quote ? `\n${quoteText(item.quote.text)}` : ''}`).join('\n\n');
  }
}

const quoteText = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => `> ${line}`.trimEnd())
    .join('\n');

export function renderMail(content: MailContent, origin: URL): RenderedMail {
  const footerText = [
    content.reason,
    content.settingsUrl ? `Change which emails you get: ${content.settingsUrl}` : null,
    content.unsubscribe ? `${content.unsubscribe.label}: ${content.unsubscribe.url}` : null,
    `${siteName}: ${origin.origin}/`,
  ].filter(Boolean);
  const text = [content.greeting, ...content.blocks.map(blockText), '--', ...footerText].filter(Boolean).join('\n\n') + '\n';

  const footerHtml = [
    `<p style="margin:0 0 8px">${escapeHtml(content.reason)}</p>`,
    content.settingsUrl ? `<p style="margin:0 0 8px"><a href="${escapeHtml(content.settingsUrl)}" style="${LINK_STYLE}">Change which emails you get</a></p>` : '',
    content.unsubscribe ? `<p style="margin:0 0 8px"><a href="${escapeHtml(content.unsubscribe.url)}" style="${LINK_STYLE}">${escapeHtml(content.unsubscribe.label)}</a></p>` : '',
    `<p style="margin:0"><a href="${escapeHtml(origin.origin)}/" style="${LINK_STYLE}">${escapeHtml(siteName)}</a></p>`,
  ].join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.subject)}</title>
</head>
<body style="${BODY_STYLE}">
<div role="article" aria-label="${escapeHtml(content.subject)}" lang="en" style="max-width:600px;margin:0 auto;padding:16px">
${content.greeting ? `<p style="margin:0 0 16px">${escapeHtml(content.greeting)}</p>` : ''}
${content.blocks.map((b) => blockHtml(b, origin)).join('\n')}
<hr style="border:0;border-top:1px solid #b1b4b6;margin:24px 0 16px">
<div style="font-size:14px;color:#505a5f">${footerHtml}</div>
</div>
</body>
</html>
`;
  return { subject: content.subject, text, html };
}
