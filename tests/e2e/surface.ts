/**
 * What the portal exposes, read from its source as the file system declares it: every
 * on-demand route (prerender = false) and every Action. The authorisation matrix and the
 * fuzz both check they cover all of it, so a new route or Action cannot be left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Actions as src/actions/*.ts declare them: `name: memberAction(`, `name: defineAction(`, `name: adminAction(`… in an exported group. */
export function declaredActions(): string[] {
  const dir = join(src, 'actions');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .flatMap((file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      const group = /export const (\w+) = \{/.exec(source)?.[1];
      if (!group) return [];
      return [...source.matchAll(/^ {2}(\w+): \w*[aA]ction\(/gm)].map((m) => `${group}.${m[1]}`);
    });
}

/** On-demand pages and endpoints (prerender = false), with the query parameters their source reads. */
export function onDemandRoutes(): { pattern: string; params: string[] }[] {
  const pages = join(src, 'pages');
  return (readdirSync(pages, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((file) => /\.(astro|ts)$/.test(file) && !file.split('/').some((part) => part.startsWith('_')))
    .map((file) => ({ file, source: readFileSync(join(pages, file), 'utf8') }))
    .filter(({ source }) => /prerender\s*=\s*false/.test(source))
    .map(({ file, source }) => ({
      pattern: `/${relative('.', file)}`.replace(/\.(astro|ts)$/, '').replace(/\/index$/, '') || '/',
      params: [...new Set([...source.matchAll(/searchParams\.get\('([\w-]+)'\)/g)].map((m) => m[1]!))],
    }));
}
