import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { listFiles } from './snapshot.ts';

/**
 * History in git, where the content folder is inside a git repository: each publish
 * commits exactly the files it built (its snapshot) under the content folder's path,
 * with the editor as author and the portal as committer, without touching the
 * repository's working tree or anyone's staged changes. The commit is built in a
 * temporary index (read-tree HEAD, replace the content folder's entries, write-tree,
 * commit-tree, update-ref against the HEAD it started from), then the real index is
 * brought up to date for the content folder only, so `git status` afterwards shows just
 * what was saved but not yet published.
 */

const run = promisify(execFile);

export type HistoryResult =
  | { kind: 'committed'; sha: string }
  | { kind: 'unchanged'; sha: string | null }
  | { kind: 'no-repository' }
  | { kind: 'failed'; reason: string };

async function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<string> {
  const child = run('git', args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  const { stdout } = await child;
  return stdout.trim();
}

/**
 * The repository's top folder and the content folder's path inside it; null outside git,
 * or where the repository ignores the folder (a copy under node_modules, as the tests use).
 */
export async function repositoryOf(contentDir: string): Promise<{ top: string; prefix: string } | null> {
  let top: string;
  try {
    top = await git(contentDir, ['rev-parse', '--show-toplevel']);
  } catch {
    return null;
  }
  const prefix = relative(top, contentDir).split(sep).join('/');
  if (prefix) {
    // `check-ignore` exits 0 when the path is ignored, 1 when it is not.
    const ignored = await git(top, ['check-ignore', '-q', '--', prefix]).then(
      () => true,
      () => false,
    );
    if (ignored) return null;
  }
  return { top, prefix };
}

export interface CommitInput {
  contentDir: string;
  /** The files to commit as the content folder's state. */
  snapshotDir: string;
  message: string;
  author: { name: string; email: string } | null;
  /** Who the portal commits as. */
  committer: { name: string; email: string };
}

export async function commitSnapshot(input: CommitInput): Promise<HistoryResult> {
  const repo = await repositoryOf(input.contentDir);
  if (!repo) return { kind: 'no-repository' };
  const tmp = mkdtempSync(join(tmpdir(), 'nmsn-publish-index-'));
  const index = { GIT_INDEX_FILE: join(tmp, 'index') };
  try {
    let head: string | null = null;
    try {
      head = await git(repo.top, ['rev-parse', '--verify', 'HEAD']);
    } catch {
      head = null; // a repository without commits yet
    }
    await git(repo.top, head ? ['read-tree', head] : ['read-tree', '--empty'], index);
    if (repo.prefix) await git(repo.top, ['rm', '-r', '-q', '--cached', '--ignore-unmatch', '--', repo.prefix], index);
    else await git(repo.top, ['read-tree', '--empty'], index);

    const files = listFiles(input.snapshotDir);
    if (files.length) {
      const shas = (await git(repo.top, ['hash-object', '-w', '--stdin-paths'], {}, files.map((f) => join(input.snapshotDir, f)).join('\n') + '\n')).split('\n');
      const lines = files.map((f, i) => `100644 ${shas[i]}\t${repo.prefix ? `${repo.prefix}/` : ''}${f}`).join('\n') + '\n';
      await git(repo.top, ['update-index', '--add', '--index-info'], index, lines);
    }
    const tree = await git(repo.top, ['write-tree'], index);
    if (head && tree === (await git(repo.top, ['rev-parse', `${head}^{tree}`]))) return { kind: 'unchanged', sha: head };

    const env = {
      GIT_AUTHOR_NAME: (input.author ?? input.committer).name,
      GIT_AUTHOR_EMAIL: (input.author ?? input.committer).email,
      GIT_COMMITTER_NAME: input.committer.name,
      GIT_COMMITTER_EMAIL: input.committer.email,
    };
    const sha = await git(repo.top, ['commit-tree', tree, ...(head ? ['-p', head] : []), '-F', '-'], env, input.message);
    // Only if HEAD is still where we started: never overwrite someone else's commit.
    await git(repo.top, ['update-ref', '-m', 'publish', 'HEAD', sha, ...(head ? [head] : [])]);
    // The real index: the content folder's entries as committed, nothing else touched.
    await git(repo.top, ['reset', '-q', sha, '--', repo.prefix || '.']).catch(() => undefined);
    return { kind: 'committed', sha };
  } catch (error) {
    return { kind: 'failed', reason: error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : String(error) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
