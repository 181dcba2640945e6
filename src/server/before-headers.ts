import type { ServerResponse } from 'node:http';

/**
 * Runs `hook` once, just before the response's status and headers are written, with
 * every header already set on `res` (including those passed to `writeHead`, which Astro's
 * handler uses). Node writes headers through `writeHead` in every case (an implicit
 * header write calls it too), so wrapping it on this one response is enough.
 */
export function beforeHeaders(res: ServerResponse, hook: (res: ServerResponse) => void): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    res.writeHead = writeHead;
    const reason = typeof rest[0] === 'string' ? rest[0] : undefined;
    const headers = (reason === undefined ? rest[0] : rest[1]) as Record<string, string | string[] | number> | (string | string[])[] | undefined;
    this.statusCode = statusCode;
    if (Array.isArray(headers)) {
      // Either [[name, value], …] or [name, value, name, value, …].
      const pairs = Array.isArray(headers[0]) ? (headers as string[][]) : chunk(headers as string[]);
      for (const [name, value] of pairs) this.setHeader(name!, value!);
    } else if (headers) {
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value);
    }
    hook(this);
    // The headers are on `res` now; pass only the status line on.
    return (writeHead as (statusCode: number, reason?: string) => ServerResponse).call(this, this.statusCode, reason);
  } as ServerResponse['writeHead'];
}

function chunk(flat: string[]): string[][] {
  const pairs: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}
