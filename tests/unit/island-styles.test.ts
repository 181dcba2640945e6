import { describe, expect, it } from 'vitest';
import { ISLAND_STYLES } from 'astro/runtime/server/astro-island-styles.js';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withIslandStyleInHead, withoutIslandStyle } from '#lib/island-styles.ts';
import { removeIslandStyleAsWritten } from '#server/island-style.ts';

const STYLE = `<style>${ISLAND_STYLES}</style>`;
const page = `<!doctype html><html><head><title>t</title></head><body><form>${STYLE}<script>1</script><astro-island></astro-island></form>${STYLE}</body></html>`;

/** The page sent in chunks of `size` bytes, read back as text. */
async function through(text: string, size: number): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
      controller.close();
    },
  });
  return new Response(withoutIslandStyle(body)).text();
}

describe('withoutIslandStyle', () => {
  it('removes the first inline island style wherever the chunks split it', async () => {
    const expected = page.replace(STYLE, '');
    for (const size of [1, 2, 7, 31, STYLE.length, STYLE.length + 1, 1000]) {
      expect(await through(page, size), `chunks of ${size}`).toBe(expected);
    }
  });

  it('passes a page without islands through unchanged', async () => {
    const plain = '<!doctype html><html><head><style>p{}</style></head><body>é ü 😀 <style>astro-island</style></body></html>';
    for (const size of [1, 3, 64]) expect(await through(plain, size)).toBe(plain);
  });
});

describe('withIslandStyleInHead', () => {
  it('leaves responses other than HTML alone', () => {
    const json = new Response('{}', { headers: { 'Content-Type': 'application/json' } });
    expect(withIslandStyleInHead(json)).toBe(json);
  });

  it('keeps the status and headers of a page, without a length that no longer holds', async () => {
    const response = withIslandStyleInHead(
      new Response(page, { status: 404, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(page.length), 'X-Test': 'kept' } }),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get('X-Test')).toBe('kept');
    expect(response.headers.has('Content-Length')).toBe(false);
    expect(await response.text()).toBe(page.replace(STYLE, ''));
  });
});

/**
 * What a real HTTP client receives when `respond` writes a response with the filter
 * installed. The headers are set on `res` first, as the server's writeHead hook has them
 * (src/server/before-headers.ts) when it installs the filter.
 */
async function served(respond: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((_req, res) => respond(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await (await fetch(`http://127.0.0.1:${port}/`)).text();
  } finally {
    server.close();
  }
}

describe('removeIslandStyleAsWritten', () => {
  const bytes = new TextEncoder().encode(page);

  it('removes the element from a streamed page, as Astro’s handler writes it in chunks', async () => {
    for (const size of [1, 5, STYLE.length - 1, 4096]) {
      const text = await served((res) => {
        res.setHeader('Content-Type', 'text/html');
        removeIslandStyleAsWritten(res);
        for (let i = 0; i < bytes.length; i += size) res.write(bytes.subarray(i, i + size));
        res.end();
      });
      expect(text, `chunks of ${size}`).toBe(page.replace(STYLE, ''));
    }
  });

  it('leaves a page with a Content-Length, and anything other than HTML, as it is', async () => {
    for (const headers of [{ 'Content-Type': 'text/html', 'Content-Length': String(bytes.length) }, { 'Content-Type': 'text/plain' }]) {
      const text = await served((res) => {
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        removeIslandStyleAsWritten(res);
        res.end(bytes);
      });
      expect(text).toBe(page);
    }
  });

  it('sends what it held back before text written otherwise (Astro’s error message)', async () => {
    const text = await served((res) => {
      res.setHeader('Content-Type', 'text/html');
      removeIslandStyleAsWritten(res);
      res.write(new TextEncoder().encode('<p>before</p><sty'));
      res.write('Internal server error', () => res.end());
    });
    expect(text).toBe('<p>before</p><styInternal server error');
  });
});
