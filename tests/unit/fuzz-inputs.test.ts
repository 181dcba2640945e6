/**
 * Fuzz (fast-check) of what reads members' input without a database: the Markdown of
 * posts never yields markup that runs, loads or hides something; ids, page numbers,
 * filters and `next` addresses read from a URL are always in range or refused; the form
 * schemas never accept what their rules refuse. Seeds and replay: tests/fuzz.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '#lib/forum/markdown.ts';
import { MAX_SEARCH_PAGE, parseSearchQuery, readSearchRequest } from '#lib/forum/search.ts';
import { parseMemberFilters } from '#lib/admin/members.ts';
import { parseAuditFilters } from '#lib/admin/audit-log.ts';
import { parseDirectoryFilters } from '#lib/directory/directory.ts';
import { PAGE_MAX, pageNumber, parseId } from '#lib/params.ts';
import { LINK_SCHEMES, profileInputSchema } from '#lib/directory/profiles.ts';
import { safeNext } from '#lib/auth/next-url.ts';
import { bodySchema, slugify, titleSchema } from '#lib/forum/limits.ts';
import { fuzzOptions, hostileNumber, hostileText } from '#tests/fuzz.ts';

/** Markdown's own syntax, mixed with hostile text, so the parser's every path is tried. */
const markdownPiece = fc.oneof(
  fc.constantFrom(
    '[x](', '](', ')', '(', '<', '>', '`', '```', '~~~', '![a](', '|', '| - |', '---', '> ', '# ', '###### ', '* ', '1. ', '- [ ] ',
    '[^1]', '[^1]: ', '\n', '\n\n', '    ', '\\', '&', '&#', '&#x6A;', '"', "'", '=', 'on', 'onerror=', 'href=', 'style=', 'javascript:',
    'JaVaScRiPt:', 'java\tscript:', 'vbscript:', 'data:', 'https://example.org', 'mailto:a@b.c', '<a href="', '<img src=x ', '<script>', '</script>',
    '<style>', '<iframe ', '<svg/onload=', '<details open ontoggle=', '<math>', '<!--', '-->', '<![CDATA[', 'id=', 'name=', '[a]: ', '<https://x>',
    '<javascript:alert(1)>', 'www.example.org', '@someone', '*', '_', '~~',
  ),
  hostileText,
);
const markdown = fc.array(markdownPiece, { maxLength: 30 }).map((pieces) => pieces.join(''));

/** A tag as a serialiser writes it: a name, then attributes whose values are quoted. */
const TAG = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[^\s=>"'\/]+(?:="[^"]*"|='[^']*')?)*)\s*\/?>/g;

/** Every opening tag in HTML output, with its attributes as written; throws when text outside tags holds a raw `<`. */
function tagsOf(html: string): { name: string; attributes: string }[] {
  const outside = html.replace(TAG, '');
  if (outside.includes('<')) throw new Error(`A raw < outside any tag: ${html}`);
  return [...html.matchAll(TAG)].filter((m) => !m[1]).map((m) => ({ name: m[2]!.toLowerCase(), attributes: m[3]! }));
}

const ALLOWED_TAGS = new Set(['a', 'p', 'br', 'hr', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'em', 'strong', 'del', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'section', 'sup', 'sub', 'kbd', 'b', 'i', 's', 'div', 'span', 'details', 'summary', 'dl', 'dt', 'dd', 'q', 'samp', 'var', 'ins', 'ruby', 'rt', 'rp', 'tt', 'strike', 'caption', 'tfoot']);

describe('fuzz: post Markdown', () => {
  it('never emits a script, a frame, an image, a style, an event handler or a link that runs code', () => {
    fc.assert(
      fc.property(markdown, (raw) => {
        const html = renderMarkdown(raw);
        for (const { name, attributes } of tagsOf(html)) {
          expect(['script', 'style', 'iframe', 'img', 'object', 'embed', 'svg', 'math', 'form', 'input', 'textarea', 'link', 'meta', 'base', 'button', 'video', 'audio', 'source', 'picture'], html).not.toContain(name);
          expect(ALLOWED_TAGS.has(name), `<${name}> in ${html}`).toBe(true);
          expect(attributes, html).not.toMatch(/(^|\s)(on\w+|style|srcdoc|src|formaction|xlink:href|name)\s*=/i);
          for (const [, , value] of attributes.matchAll(/(^|\s)href="([^"]*)"/g)) {
            const decoded = value!.replace(/&#x([0-9a-f]+);?/gi, (_, h) => String.fromCodePoint(parseInt(h, 16))).replace(/&#(\d+);?/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
            const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(decoded.replace(/[\s\u0000-\u001f]/g, ''))?.[1]?.toLowerCase();
            if (scheme) expect(['http', 'https', 'mailto'], `${value} in ${html}`).toContain(scheme);
          }
          for (const [, , value] of attributes.matchAll(/(^|\s)id="([^"]*)"/g)) expect(value, html).toMatch(/^post-content-/);
        }
      }),
      fuzzOptions(100),
    );
  });
});

describe('fuzz: values read from a URL', () => {
  it('ids are a safe whole number from 1, or nothing', () => {
    fc.assert(
      fc.property(hostileNumber, (value) => {
        const id = parseId(value);
        if (id !== null) {
          expect(Number.isSafeInteger(id)).toBe(true);
          expect(id).toBeGreaterThanOrEqual(1);
          expect(String(id)).toBe(value);
        }
      }),
      fuzzOptions(500),
    );
  });

  it('page numbers are always a whole number from 1, and at most the page a list can have', () => {
    fc.assert(
      fc.property(hostileNumber, (value) => {
        const page = pageNumber(value);
        expect(Number.isSafeInteger(page)).toBe(true);
        expect(page).toBeGreaterThanOrEqual(1);
        expect(page).toBeLessThanOrEqual(PAGE_MAX);
        const search = readSearchRequest(new URLSearchParams({ q: 'x', page: value })).request.page;
        expect(search >= 1 && search <= MAX_SEARCH_PAGE && Number.isInteger(search)).toBe(true);
      }),
      fuzzOptions(500),
    );
  });

  const query = fc.array(fc.tuple(fc.constantFrom('q', 'category', 'author', 'from', 'to', 'page', 'type', 'region', 'area', 'role', 'status', 'organisationId', 'action', 'actor', 'outcome', 'x'), fc.oneof(hostileText, hostileNumber)), { maxLength: 8 });

  it('filters read from a query string never throw: each value is taken or refused with a message', () => {
    fc.assert(
      fc.property(query, (pairs) => {
        const params = new URLSearchParams(pairs);
        for (const { errors } of [parseDirectoryFilters(params), parseMemberFilters(params), parseAuditFilters(params), readSearchRequest(params)]) {
          for (const message of Object.values(errors)) expect(message).toMatch(/\w{3}/);
        }
        const { filters } = parseDirectoryFilters(params);
        if (filters.q !== undefined) expect(filters.q).not.toMatch(/\p{Cc}/u);
      }),
      fuzzOptions(300),
    );
  });

  it('forum search words always become quoted FTS strings, never FTS syntax', () => {
    fc.assert(
      fc.property(hostileText, (q) => {
        const { match } = parseSearchQuery(q);
        if (match) expect(match).toMatch(/^("([^"]|"")*"\*?( |$))+$/);
      }),
      fuzzOptions(400),
    );
  });

  it('a `next` address is always a path on this site', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.constantFrom('/\\evil.example', '/./\\evil.example', '/.//evil.example', '/%2f%2fevil.example', '/\t/evil.example', '/ /evil.example')), (next) => {
        const path = safeNext(next);
        expect(path.startsWith('/')).toBe(true);
        expect(path).not.toMatch(/^\/[/\\]/);
        expect(new URL(path, 'https://portal.example').origin).toBe('https://portal.example');
      }),
      fuzzOptions(500),
    );
  });
});

describe('fuzz: form schemas', () => {
  const field = fc.oneof(hostileText, hostileNumber, fc.constantFrom('on', 'true', 'https://example.org/x', 'mailto:a@example.org', 'tel:+441632960000', '01632 960 000', 'a@example.org'));

  it('a saved profile holds no control or text-direction characters, and links of allowed kinds only', () => {
    fc.assert(
      fc.property(fc.record({ roleTitle: field, askMeAbout: field, workPhone: field, workEmail: field, link: field, showAskMeAbout: field, showWorkPhone: field, showWorkEmail: field, areas: fc.array(field, { maxLength: 3 }) }, { requiredKeys: ['areas'] }), (form) => {
        const parsed = profileInputSchema.safeParse(form);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) expect(issue.message).toMatch(/\w{3}/);
          return;
        }
        const p = parsed.data;
        for (const value of [p.roleTitle, p.workPhone, p.workEmail, p.link]) if (value) expect(value).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
        if (p.askMeAbout) expect(p.askMeAbout).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u);
        if (p.link) expect(LINK_SCHEMES as readonly string[]).toContain(new URL(p.link).protocol);
      }),
      fuzzOptions(400),
    );
  });

  it('a long title’s slug is cut at a word and never ends in a hyphen (found by fuzzing)', () => {
    expect(slugify('a '.repeat(100))).toBe(Array(40).fill('a').join('-'));
  });

  it('titles and posts accepted are within their limits; every thread gets a URL-safe slug', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const title = titleSchema.safeParse(text);
        // Limits count characters (code points), as zod does.
        if (title.success) expect(Array.from(title.data).length).toBeLessThanOrEqual(150);
        expect(slugify(text)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        const body = bodySchema.safeParse(text);
        if (body.success) expect(body.data.trim().length).toBeGreaterThan(0);
      }),
      fuzzOptions(400),
    );
  });
});
