import { ISLAND_STYLES } from 'astro/runtime/server/astro-island-styles.js';

/**
 * Astro writes `<style>astro-island,…{display:contents}</style>` into the body just before
 * the first interactive island of a page (the reply form's composer, the search box).
 * A `<style>` element belongs in `<head>`: inside a form or `main` it is invalid HTML
 * (html-validate's element-permitted-content). The same rule is in src/styles/global.css,
 * which every page links in its head, so the inline copy is removed as the page is sent.
 */
const INLINE = Buffer.from(`<style>${ISLAND_STYLES}</style>`);

/**
 * The page's bytes without Astro's inline island style. Works on bytes: chunks pass
 * through untouched until the element is found once, keeping back only as many bytes
 * as could be the start of an element split across two chunks.
 */
export function withoutIslandStyle(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let held: Buffer = Buffer.alloc(0);
  let done = false;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (done) return controller.enqueue(chunk);
        const bytes = held.length ? Buffer.concat([held, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        const at = bytes.indexOf(INLINE);
        if (at >= 0) {
          done = true;
          held = Buffer.alloc(0);
          controller.enqueue(Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + INLINE.length)]));
          return;
        }
        const keep = Math.min(INLINE.length - 1, bytes.length);
        held = Buffer.from(bytes.subarray(bytes.length - keep));
        if (bytes.length > keep) controller.enqueue(bytes.subarray(0, bytes.length - keep));
      },
      flush(controller) {
        if (held.length) controller.enqueue(held);
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
