/**
 * The content checks, one fixture per rule: each folder under fixtures/content-check/
 * holds the files that break one rule, laid over a content set (`_base`) that passes
 * every check. The CLI is run as an editor runs it, over the fixtures and the real content.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkContent, type Finding } from '#lib/content/check/index.ts';
import { ruleIds } from '#lib/content/check/findings.ts';
import { newEntry } from '#lib/content/new-entry.ts';

const root = new URL('../..', import.meta.url).pathname;
const fixtures = join(root, 'tests/integration/fixtures/content-check');
const now = new Date('2026-06-01T12:00:00Z');
const work = mkdtempSync(join(tmpdir(), 'nmsn-content-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A content folder: the passing base set, with one rule's fixture files laid over it. */
function contentWith(rule?: string): string {
  const dir = join(work, `content-${++n}`);
  cpSync(join(fixtures, '_base'), dir, { recursive: true });
  if (rule) cpSync(join(fixtures, rule), dir, { recursive: true });
  return dir;
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line ?? '-'}${f.field ? ` (${f.field})` : ''}`);

function check(rule?: string) {
  return checkContent({ contentDir: contentWith(rule), now });
}

describe('content checks', () => {
  it('pass the base fixture set with nothing to report', () => {
    expect(summary(check().findings)).toEqual([]);
  });

  it('have a fixture for every rule', () => {
    for (const rule of ruleIds) expect(() => readFileSync(join(fixtures, rule, '.'), 'utf8'), rule).toThrow(/EISDIR/);
  });

  it('frontmatter: schema errors, unknown keys and bad YAML, each at its line and field', () => {
    const r = check('frontmatter');
    expect(summary(r.findings)).toEqual([
      'error frontmatter events/ends-before-start.mdx:13 (end)',
      'error frontmatter guides/bad-frontmatter.mdx:6 (topics.1)',
      'error frontmatter guides/bad-frontmatter.mdx:12 (colour)',
      'error frontmatter guides/bad-frontmatter.mdx:17 (owner)',
      'error frontmatter news/not-yaml.mdx:4',
    ]);
    expect(r.findings[0]!.message).toBe('must be later than start');
    expect(r.findings[3]!.message).toMatch(/is missing/);
    expect(r.findings[4]!.message).toMatch(/not valid YAML/);
  });

  it('resource-file: a resource whose file the build would refuse, at the file field', () => {
    const r = check('resource-file');
    expect(summary(r.findings)).toEqual(['error resource-file resources/fake-pdf.mdx:12 (file)', 'error resource-file resources/lost-file.mdx:12 (file)']);
    expect(r.findings[0]!.message).toMatch(/"file\.pdf" is not a PDF file/);
    expect(r.findings[1]!.message).toMatch(/"\.\/lost-file\/file\.pdf" does not exist/);
  });

  it('mdx-syntax: text the MDX reader cannot read, at its line', () => {
    const [f] = check('mdx-syntax').findings;
    expect(f).toMatchObject({ severity: 'error', rule: 'mdx-syntax', file: 'guides/broken-mdx.mdx', line: 18 });
  });

  it('mdx-code: imports, expressions and components are refused (the build would run them)', () => {
    expect(summary(check('mdx-code').findings)).toEqual(['error mdx-code guides/runs-code.mdx:16', 'error mdx-code guides/runs-code.mdx:20']);
  });

  it('duplicate-slug: two files the build would give one address', () => {
    const r = check('duplicate-slug');
    expect(summary(r.findings)).toEqual(['error duplicate-slug guides/Base Guide.mdx:-', 'error duplicate-slug guides/base-guide.mdx:-']);
    expect(r.findings[0]!.message).toContain('/guides/base-guide');
  });

  it('internal-link: missing entries, headings, topics and drafts', () => {
    const r = check('internal-link');
    expect(summary(r.findings)).toEqual([
      'error internal-link guides/broken-links.mdx:16',
      'error internal-link guides/broken-links.mdx:18',
      'error internal-link guides/broken-links.mdx:20',
      'error internal-link guides/broken-links.mdx:22',
      'error internal-link guides/broken-links.mdx:22',
    ]);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/no-such-guide[\s\S]*no-such-heading[\s\S]*not-here[\s\S]*cooking[\s\S]*draft/);
  });

  it('members-link: a public page linking to a members-only entry', () => {
    expect(summary(check('members-link').findings)).toEqual(['error members-link awareness/links-to-members.mdx:15']);
  });

  it('image: no alt text, missing, SVG and remote images', () => {
    const r = check('image');
    expect(summary(r.findings)).toEqual([
      'error image guides/bad-images.mdx:16',
      'error image guides/bad-images.mdx:18',
      'error image guides/bad-images.mdx:20',
      'error image guides/bad-images.mdx:22',
    ]);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/no alt text[\s\S]*does not exist[\s\S]*SVG[\s\S]*elsewhere/);
  });

  it('image: a symbolic link out of the content folder is refused', () => {
    const dir = contentWith();
    const secret = join(work, 'secret.png');
    cpSync(join(fixtures, '_base/images/guides/base-guide/diagram.png'), secret);
    rmSync(join(dir, 'images/guides/base-guide/diagram.png'));
    symlinkSync(secret, join(dir, 'images/guides/base-guide/diagram.png'));
    const r = checkContent({ contentDir: dir, now });
    expect(summary(r.findings)).toEqual(['error image guides/base-guide.mdx:18']);
    expect(r.findings[0]!.message).toMatch(/outside the content folder/);
  });

  it('image: a file that is not the image its name says is refused', () => {
    const dir = contentWith();
    writeFileSync(join(dir, 'images/guides/base-guide/diagram.png'), '<html><script>alert(1)</script></html>');
    expect(checkContent({ contentDir: dir, now }).findings[0]!.message).toMatch(/not a readable PNG/);
  });

  it('heading: a # heading and a skipped level', () => {
    expect(summary(check('heading').findings)).toEqual(['error heading guides/bad-headings.mdx:16', 'error heading guides/bad-headings.mdx:22']);
  });

  it('review-due: warns about overdue guides and those due within 30 days', () => {
    const r = check('review-due');
    expect(summary(r.findings)).toEqual(['warning review-due guides/due-soon.mdx:13 (reviewDue)', 'warning review-due guides/overdue.mdx:13 (reviewDue)']);
    expect(r.findings[0]!.message).toMatch(/within 30 days/);
    expect(r.findings[1]!.message).toMatch(/was due on 1 May 2026/);
    expect(r.errors).toBe(0);
  });

  it('summary-length: warns about summaries outside the advice', () => {
    expect(summary(check('summary-length').findings)).toEqual([
      'warning summary-length news/long-summary.mdx:3 (summary)',
      'warning summary-length news/short-summary.mdx:3 (summary)',
    ]);
  });

  it('external-link: warns about http, refuses other schemes', () => {
    expect(summary(check('external-link').findings)).toEqual(['error external-link news/insecure-links.mdx:14', 'warning external-link news/insecure-links.mdx:14']);
  });
});

describe('npm run content:check', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'src/cli/content-check.ts'), ...args], { cwd: root, encoding: 'utf8' });

  it('passes the real content folder (warnings allowed)', () => {
    const result = run('--json');
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.errors).toBe(0);
    expect(report.files).toBeGreaterThan(0);
  });

  it('names file, line and problem, and fails on an error', () => {
    const result = run('--dir', contentWith('heading'));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('guides/bad-headings.mdx:16: error [heading]');
    expect(result.stdout).toMatch(/7 files checked: 2 errors, 0 warnings\./);
  });

  it('prints JSON for the dashboard', () => {
    const result = run('--json', '--dir', contentWith('members-link'));
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ errors: 1, warnings: 0, findings: [{ rule: 'members-link', file: 'awareness/links-to-members.mdx', line: 15 }] });
  });

  it('refuses unknown options with usage', () => {
    const result = run('--jsno');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: npm run content:check');
  });
});

describe('npm run new', () => {
  const run = (dir: string, ...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'src/cli/new-entry.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CONTENT_DIR: dir } });

  it.each(['guide', 'awareness', 'news', 'event'])('writes a %s that passes every check, dated today, as a draft', (kind) => {
    const dir = contentWith();
    const result = run(dir, kind, 'Working with the licensing authority');
    expect(result.status, result.stderr).toBe(0);
    const path = result.stdout.trim();
    expect(path).toMatch(new RegExp(`/(guides|awareness|news|events)/working-with-the-licensing-authority\\.mdx$`));
    const text = readFileSync(join(root, path), 'utf8');
    const today = new Date().toISOString().slice(0, 10);
    expect(text).toContain(`published: ${today}`);
    expect(text).toContain('draft: true');
    expect(text).toContain('title: Working with the licensing authority');
    expect(checkContent({ contentDir: dir }).errors).toBe(0);
  });

  it('writes a resource with its file where the browser editor keeps uploads', () => {
    const dir = contentWith();
    const source = join(dir, '..', `upload-${process.pid}.PDF`);
    writeFileSync(source, '%PDF-1.4\n% a one-line test file\n');
    const result = run(dir, 'resource', 'Referral checklist for partners', source);
    expect(result.status, result.stderr).toBe(0);
    const [filePath, entryPath] = result.stdout.trim().split('\n');
    expect(filePath).toMatch(/\/resources\/referral-checklist-for-partners\/file\.pdf$/);
    expect(entryPath).toMatch(/\/resources\/referral-checklist-for-partners\.mdx$/);
    expect(readFileSync(join(root, entryPath!), 'utf8')).toContain('file: ./referral-checklist-for-partners/file.pdf');
    expect(checkContent({ contentDir: dir }).errors).toBe(0);
  });

  it('refuses a resource without its file, or with a file the library does not accept', () => {
    const dir = contentWith();
    expect(run(dir, 'resource', 'A resource without a file').status).toBe(2);
    const page = join(dir, '..', `page-${process.pid}.pdf`);
    writeFileSync(page, '<!doctype html><title>not a pdf</title>');
    const fake = run(dir, 'resource', 'A resource with a fake file', page);
    expect(fake.status).toBe(1);
    expect(fake.stderr).toMatch(/is not a PDF file/);
    const html = join(dir, '..', `page-${process.pid}.html`);
    writeFileSync(html, '<p>page</p>');
    expect(run(dir, 'resource', 'A resource with a web page', html).stderr).toMatch(/not a format the library accepts/);
    expect(existsSync(join(dir, 'resources', 'a-resource-with-a-fake-file.mdx'))).toBe(false);
  });

  it('refuses to overwrite an entry, a title too short and an unknown kind', () => {
    const dir = contentWith();
    expect(run(dir, 'guide', 'A valid fixture guide').status).toBe(0);
    const again = run(dir, 'guide', 'A valid fixture guide');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(run(dir, 'guide', 'Hi').stderr).toMatch(/title is not accepted/);
    expect(run(dir, 'poem', 'A poem about the network').status).toBe(2);
    expect(run(dir).status).toBe(2);
  });

  it('makes the file name from the title', () => {
    const entry = newEntry('news', 'Regional meeting: "North West", 2027!');
    expect(entry.ok && entry.slug).toBe('regional-meeting-north-west-2027');
  });
});
