import { ISLAND_STYLES } from 'astro/runtime/server/astro-island-styles.js';

/**
 * Astro writes `<style>astro-island,…{display:contents}</style>` into the body just before
 * the first interactive island of a page (the reply form's composer, the search box).
 * A `<style>` element belongs in `<head>`: inside a form it is invalid HTML (html-validate's
 * element-permitted-content). The same rule is in src/styles/global.css, which every page
 * links in its head, so the inline copy is removed: from prerendered pages as they are
 * built (the middleware, withIslandStyleInHead), from on-demand pages as the server writes
 * them (src/server/island-style.ts). Decision 033.
 */
const INLINE = Buffer.from(`<style>${ISLAND_STYLES}</style>`);
/**
 * What the search looks for first: the element's end, which starts with a byte pages
 * rarely hold ("{"). Node's Buffer search is slow for a needle whose first byte is common
 * ("<" is everywhere in HTML): about 50 times slower on an 80 kB page.
 */
const ANCHOR = INLINE.subarray(INLINE.indexOf('{'));
const NOTHING = Buffer.alloc(0);

/** Where the whole element starts in `bytes`, or -1. */
function findInline(bytes: Buffer): number {
  const before = INLINE.length - ANCHOR.length;
  for (let i = bytes.indexOf(ANCHOR, before); i !== -1; i = bytes.indexOf(ANCHOR, i + 1)) {
    if (bytes.subarray(i - before, i - before + INLINE.length).equals(INLINE)) return i - before;
  }
  return -1;
}

/** How many bytes at the end of `bytes` could be the start of the element (a `<` and what follows it). */
function partialAtEnd(bytes: Buffer): number {
  for (let i = bytes.indexOf(0x3c, Math.max(0, bytes.length - INLINE.length + 1)); i !== -1; i = bytes.indexOf(0x3c, i + 1)) {
    if (INLINE.subarray(0, bytes.length - i).equals(bytes.subarray(i))) return bytes.length - i;
  }
  return 0;
}

/** Removes the element from a page given chunk by chunk: `push` each chunk, send what it returns, then send `end()`. */
export interface IslandStyleFilter {
  push(chunk: Uint8Array): Buffer[];
  end(): Buffer;
}

/**
 * A filter for one page. It works on the bytes without copying them: a chunk passes
 * through as it is, unless it ends with what could be the start of the element, which is
 * held back until the next chunk shows whether it is. Once the element has been removed,
 * chunks are not even searched.
 */
export function islandStyleFilter(): IslandStyleFilter {
  let held = NOTHING;
  let done = false;
  return {
    push(chunk) {
      const bytes = held.length ? Buffer.concat([held, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      held = NOTHING;
      if (done) return [bytes];
      const at = findInline(bytes);
      if (at >= 0) {
        done = true;
        return [bytes.subarray(0, at), bytes.subarray(at + INLINE.length)].filter((part) => part.length > 0);
      }
      const keep = partialAtEnd(bytes);
      if (keep) held = Buffer.from(bytes.subarray(bytes.length - keep));
      return bytes.length > keep ? [keep ? bytes.subarray(0, bytes.length - keep) : bytes] : [];
    },
    end() {
      const rest = held;
      held = NOTHING;
      return rest;
    },
  };
}

/** A page's body without Astro's inline island style. */
export function withoutIslandStyle(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const filter = islandStyleFilter();
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        for (const part of filter.push(chunk)) controller.enqueue(part);
      },
      flush(controller) {
        const rest = filter.end();
        if (rest.length) controller.enqueue(rest);
      },
    }),
  );
}

/** A page's response with the inline island style removed; anything other than HTML is returned as it is. */
export function withIslandStyleInHead(response: Response): Response {
  if (!response.body || !response.headers.get('Content-Type')?.startsWith('text/html')) return response;
  const headers = new Headers(response.headers);
  headers.delete('Content-Length');
  return new Response(withoutIslandStyle(response.body), { status: response.status, statusText: response.statusText, headers });
}
