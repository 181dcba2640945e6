/**
 * What a publish keeps: the snapshot of the content folder it built, what changed since
 * the live one, the git commit with the editor as author (where the content folder is in
 * a repository and not ignored), and the rollback that puts an earlier snapshot back.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestUser, freshDatabase } from './helpers.ts';
import { contentEdits } from '#db/schema.ts';
import { keptVersion } from '#lib/editing/kept-versions.ts';
import { commitSnapshot } from '#lib/publishing/git.ts';
import { rollBackContent } from '#lib/publishing/rollback.ts';
import { diffManifests, entryPaths, manifestOf, restoreSnapshot, takeSnapshot } from '#lib/publishing/snapshot.ts';

const work = mkdtempSync(join(tmpdir(), 'nmsn-publishing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(dir: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const committer = { name: 'NMSN portal', email: 'portal@portal.example' };

describe('snapshots', () => {
  it('copy the files, name what changed, and restore exactly', () => {
    const content = join(work, 'snap-content');
    write(content, { 'guides/a.mdx': 'A', 'guides/b.mdx': 'B', 'images/guides/a/x.png': 'png', '.git/HEAD': 'ignored' });
    const first = takeSnapshot(content, join(work, 'snap-1'));
    expect(Object.keys(first).sort()).toEqual(['guides/a.mdx', 'guides/b.mdx', 'images/guides/a/x.png']);

    write(content, { 'guides/a.mdx': 'A changed', 'news/c.mdx': 'C' });
    rmSync(join(content, 'guides/b.mdx'));
    const changes = diffManifests(first, manifestOf(content));
    expect(changes).toEqual({ added: ['news/c.mdx'], changed: ['guides/a.mdx'], removed: ['guides/b.mdx'] });
    expect(entryPaths(['guides/a.mdx', 'images/guides/a/x.png', 'sources.yaml'])).toEqual(['guides/a.mdx']);
    expect(entryPaths(['resources/r.mdx', 'resources/r/file.pdf', 'resources/s/file.csv', 'events/e.mdx', 'resources/notes.txt'])).toEqual(['resources/r.mdx', 'resources/s.mdx', 'events/e.mdx']);

    const touched = restoreSnapshot(join(work, 'snap-1'), content);
    expect(touched.sort()).toEqual(['guides/a.mdx', 'guides/b.mdx', 'news/c.mdx']);
    expect(manifestOf(content)).toEqual(first);
  });
});

describe('rolling back', () => {
  it('puts an earlier publish’s files back, keeping unpublished work and recording the edits', async () => {
    const t = await freshDatabase();
    try {
      const { user } = await createTestUser(t.db, { role: 'editor' });
      const content = join(work, 'rollback-content');
      write(content, { 'guides/a.mdx': 'A one', 'guides/b.mdx': 'B one' });
      const first = takeSnapshot(content, join(work, 'rollback-1'));
      // Publish 2 changed A and added C; since then B was saved but not published.
      write(content, { 'guides/a.mdx': 'A two', 'news/c.mdx': 'C two' });
      const live = manifestOf(content);
      write(content, { 'guides/b.mdx': 'B saved, not published' });

      const { kept, touched } = await rollBackContent(t.db, { contentDir: content, snapshotDir: join(work, 'rollback-1'), liveManifest: live, userId: user.id });
      expect(manifestOf(content)).toEqual(first);
      expect(touched.sort()).toEqual(['guides/a.mdx', 'guides/b.mdx', 'news/c.mdx']);
      expect(kept).toHaveLength(1);
      const keptB = await keptVersion(t.db, kept[0]!);
      expect(keptB).toMatchObject({ path: 'guides/b.mdx', reason: 'rollback' });
      expect(Buffer.from(keptB!.content).toString()).toBe('B saved, not published');
      const edits = await t.db.select().from(contentEdits).all();
      expect(edits.map((e) => [e.path, e.userId, e.sha === null]).sort()).toEqual([
        ['guides/a.mdx', user.id, false],
        ['guides/b.mdx', user.id, false],
        ['news/c.mdx', user.id, true],
      ]);
    } finally {
      t.cleanup();
    }
  });
});

describe('history in git', () => {
  it('commits the published files with the editor as author, leaving other files and the working tree alone', async () => {
    const repo = join(work, 'repo');
    write(repo, { 'content/guides/a.mdx': 'A', 'src/app.ts': 'code' });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.org', 'add', '.');
    git(repo, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.org', 'commit', '-q', '-m', 'start');

    // Saved in the content folder: one published (in the snapshot), one saved after the snapshot.
    write(repo, { 'content/guides/a.mdx': 'A published', 'src/app.ts': 'code being written' });
    const snapshot = join(work, 'repo-snapshot');
    takeSnapshot(join(repo, 'content'), snapshot);
    write(repo, { 'content/guides/a.mdx': 'A saved after the publish started' });

    const result = await commitSnapshot({
      contentDir: join(repo, 'content'),
      snapshotDir: snapshot,
      message: 'Publish #1 of the library\n\nchanged guides/a.mdx\n',
      author: { name: 'Edith Editor', email: 'edith@example.org' },
      committer,
    });
    expect(result.kind).toBe('committed');
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn|%s')).toBe('Edith Editor <edith@example.org>|NMSN portal|Publish #1 of the library');
    expect(git(repo, 'show', 'HEAD:content/guides/a.mdx')).toBe('A published');
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD')).toBe('content/guides/a.mdx');
    // The working tree keeps what was saved since, and the code change stays uncommitted.
    expect(readFileSync(join(repo, 'content/guides/a.mdx'), 'utf8')).toBe('A saved after the publish started');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' }).trimEnd().split('\n').sort()).toEqual([' M content/guides/a.mdx', ' M src/app.ts']);

    // The same files again: no new commit.
    const again = await commitSnapshot({ contentDir: join(repo, 'content'), snapshotDir: snapshot, message: 'again', author: null, committer });
    expect(again).toEqual({ kind: 'unchanged', sha: (result as { sha: string }).sha });
  });

  it('keeps no git history where the content folder is outside a repository or ignored by it', async () => {
    const plain = join(work, 'plain-content');
    write(plain, { 'guides/a.mdx': 'A' });
    expect((await commitSnapshot({ contentDir: plain, snapshotDir: plain, message: 'x', author: null, committer })).kind).toBe('no-repository');

    const repo = join(work, 'repo-ignored');
    write(repo, { '.gitignore': 'node_modules/\n', 'node_modules/.cache/content/guides/a.mdx': 'A' });
    git(repo, 'init', '-q', '-b', 'main');
    const ignored = join(repo, 'node_modules/.cache/content');
    expect((await commitSnapshot({ contentDir: ignored, snapshotDir: ignored, message: 'x', author: null, committer })).kind).toBe('no-repository');
    expect(existsSync(join(repo, '.git/refs/heads/main'))).toBe(false);
  });
});
