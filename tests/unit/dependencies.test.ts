/**
 * The shape of the code, checked: imports follow one convention (aliases or `./`, with
 * the file's extension), src/lib depends on no page, component or action, db/ on
 * nothing of ours, and no module imports itself through a cycle. docs/development.md
 * and decision 011 say why.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const aliases: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).imports;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|astro|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const files = ['src', 'db', 'tests', 'bench'].flatMap(sourceFiles).concat('astro.config.mjs');

/** Every module specifier in a file: static imports and exports, `import()`, and type `import()`. */
function specifiers(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;{}])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;{}(])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    found.push((m[1] ?? m[2] ?? m[3])!);
  }
  return found;
}

/** The project file a specifier names, or null for a package or a virtual module. */
function resolveSpecifier(from: string, specifier: string): string | null {
  if (specifier.startsWith('./') || specifier.startsWith('../')) return relative(root, join(root, dirname(from), specifier));
  if (specifier.startsWith('#')) {
    const [pattern, target] = Object.entries(aliases).find(([key]) => specifier.startsWith(key.replace('*', '')))!;
    return target.replace('./', '').replace('*', specifier.slice(pattern.length - 1));
  }
  return null;
}

const graph = new Map<string, string[]>();
for (const file of files) {
  graph.set(
    file,
    specifiers(file)
      .map((s) => resolveSpecifier(file, s))
      .filter((target): target is string => target !== null),
  );
}

describe('imports', () => {
  it('name a project file through an alias or ./, with its extension, and the file exists', () => {
    const bad: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(file)) {
        if (specifier.startsWith('../')) bad.push(`${file}: ${specifier} (use an alias from package.json "imports")`);
        if (specifier.startsWith('#') && !Object.keys(aliases).some((key) => specifier.startsWith(key.replace('*', '')))) bad.push(`${file}: ${specifier} (no such alias)`);
        const target = resolveSpecifier(file, specifier);
        if (target !== null && !existsSync(join(root, target))) bad.push(`${file}: ${specifier} (no such file; give the extension)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('keep src/lib free of pages, components, layouts and actions', () => {
    const bad = [...graph]
      .filter(([file]) => file.startsWith('src/lib/'))
      .flatMap(([file, targets]) => targets.filter((t) => /^src\/(pages|components|layouts|actions)\//.test(t)).map((t) => `${file} → ${t}`));
    expect(bad).toEqual([]);
  });

  it('keep db/ free of anything of ours', () => {
    const bad = [...graph].filter(([file]) => file.startsWith('db/')).flatMap(([file, targets]) => targets.map((t) => `${file} → ${t}`));
    expect(bad).toEqual([]);
  });

  it('form no cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      path.push(file);
      for (const target of graph.get(file) ?? []) visit(target);
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file);
    expect(cycles).toEqual([]);
  });
});
