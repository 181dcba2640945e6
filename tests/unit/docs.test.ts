/**
 * The README and docs/ say what the code does: the commands they give exist, the files
 * they name are there, their links land, and the settings table matches the settings the
 * code reads. (tests/integration/commands.test.ts runs the commands themselves.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '#lib/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const docs = ['README.md', ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const scripts = Object.keys(JSON.parse(read('package.json')).scripts);

/** `code` spans and fenced blocks: where commands and paths are written. */
function codeOf(text: string): string[] {
  const fenced = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const inline = [...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return [...fenced, ...inline];
}

/** GitHub's anchor for a heading. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

describe('the README', () => {
  const readme = read('README.md');

  it('starts with the two commands', () => {
    const commands = /```sh\n([\s\S]*?)```/.exec(readme)![1]!.split('\n').map((line) => line.split('#')[0]!.trim()).filter(Boolean);
    expect(commands).toEqual(['npm install && npm start', 'npm test']);
  });

  it('fits on two screens', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(70);
  });
});

describe.each(docs)('%s', (doc) => {
  const text = read(doc);
  const code = codeOf(text);

  it('names only npm scripts that exist', () => {
    const named = code.flatMap((c) => [...c.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]!));
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('names only admin commands that exist', () => {
    const usage = read('src/cli/admin.ts');
    const named = code.flatMap((c) => [...c.matchAll(/npm run admin -- ([a-z][\w-]*)/g)].map((m) => m[1]!));
    expect(named.filter((name) => !usage.includes(`async '${name}'(`) && !usage.includes(`async ${name}(`))).toEqual([]);
  });

  it('names only files that exist', () => {
    const paths = code
      .flatMap((c) => [...c.matchAll(/(?:^|[\s(`'"])((?:src|db|tests|bench|content|docs|public|\.ci)\/[\w./[\]-]*[\w\]])/g)].map((m) => m[1]!))
      .filter((p) => !/[<…*]|NNN/.test(p));
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, hash] = target!.split('#');
      const file = path ? join(dirname(join(root, doc)), path) : join(root, doc);
      if (!existsSync(file)) {
        broken.push(target!);
        continue;
      }
      if (hash && file.endsWith('.md')) {
        const headings = [...readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!));
        if (!headings.includes(hash)) broken.push(target!);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('docs/operations.md', () => {
  it('lists exactly the settings src/lib/config.ts reads', () => {
    const text = read('docs/operations.md');
    const table = text.slice(text.indexOf('## Configuration'), text.indexOf('\n## ', text.indexOf('## Configuration') + 1));
    const documented = new Set([...table.matchAll(/^\| ([^|]+)\|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z_]+)`/g)].map((v) => v[1]!)));
    documented.delete('CHROMIUM_PATH'); // read by the tests only, documented beside the settings
    expect([...documented].sort()).toEqual(Object.keys(configSchema.in.shape).sort());
  });
});

describe('decision records', () => {
  it.each(readdirSync(join(root, 'docs/decisions')).filter((f) => f.endsWith('.md')))('%s has a date and a status', (file) => {
    const text = read(`docs/decisions/${file}`);
    expect(text).toMatch(/^- Date: \d{4}-\d{2}-\d{2}$/m);
    expect(text).toMatch(/^- Status: (accepted|superseded by \d{3}|proposed)/m);
  });
});

describe('the project', () => {
  it('refers to no document outside the repository', () => {
    const files = ['README.md', ...docs, ...['src', 'tests', 'db', 'bench'].flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => `${dir}/${f}`))];
    const outside = files.filter((f) => /\.(md|ts|tsx|astro|mjs)$/.test(f) && f !== 'tests/unit/docs.test.ts' && /\.\.\/shared\/|\b(DESIGN|FINDINGS|STYLE)\.md\b|(?<!docs\/)\bSECURITY\.md\b/.test(read(f)));
    expect(outside).toEqual([]);
  });
});
