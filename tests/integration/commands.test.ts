/**
 * The commands the README and docs/ give, run as written (through npm, as a reader
 * would type them) against a database in a temp folder: `npm start` serves the portal
 * and says how to sign in, and the database and admin commands do what
 * docs/operations.md and docs/administration.md say. tests/unit/docs.test.ts checks
 * that every command the docs name exists.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nmsn-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The environment a reader's shell would give (vitest adds its own NODE_ENV, MODE…), with
// a database and key of this test's own, so nothing of the developer's data/ is touched.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DEV|PROD|MODE|SSR|BASE_URL|NODE_ENV|VITEST.*|TEST)$/.test(k))),
  DATABASE_URL: `file:${join(dir, 'portal.db')}`,
  TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

function npm(...args: string[]) {
  const result = spawnSync('npm', ['--silent', ...args], { cwd: root, env, encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
}

describe('the commands in the docs', () => {
  it('npm start builds if needed, creates the database with demo data, serves the portal with React’s production build and says how to sign in', async () => {
    // The probe reports which build of React each process loads (decision 032).
    const probe = join(root, 'tests/integration/fixtures/react-build-probe.cjs');
    const child = spawn('npm', ['start'], { cwd: root, env: { ...env, HOST: '127.0.0.1', PORT: '0', NODE_OPTIONS: `--require ${probe}` }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const found = /The portal is running at (\S+)/.exec(out);
          if (found) {
            clearInterval(timer);
            resolve(found[1]!);
          }
        }, 200);
        child.once('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`npm start exited (${code}):\n${out}`));
        });
      });
      expect(out).toContain('Demo sign-in');
      expect(out).toContain('admin@demo.nmsn.test');
      const home = await fetch(url);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('National Modern Slavery Network');
      expect((await fetch(new URL('/login', url))).status).toBe(200);
      // The sign-in page renders a React island: by now the server has loaded React, in its
      // production build, while the portal stays a demo (it said so above).
      expect(out).toMatch(/react build \(start\.ts\): production react-dom-server/);
      expect(out).not.toMatch(/react build \(start\.ts\): development/);
    } finally {
      // npm starts node in a process group of its own: stop the whole group.
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }
  }, 300_000); // a first build on a busy 2-core machine takes minutes

  it('npm run db:migrate, db:purge and db:backup work on that database', () => {
    expect(npm('run', 'db:migrate')).toMatchObject({ status: 0, out: expect.stringContaining('The database schema is up to date.') });
    expect(npm('run', 'db:purge')).toMatchObject({ status: 0, out: expect.stringContaining('Removed:') });
    const backup = join(dir, 'backups', 'portal.db');
    expect(npm('run', 'db:backup', '--', backup)).toMatchObject({ status: 0, out: expect.stringContaining(`Backed up to ${backup}`) });
    expect(existsSync(backup)).toBe(true);
  });

  it('npm run admin -- help lists the commands, and demo-code gives a code', () => {
    const help = npm('run', 'admin', '--', 'help');
    expect(help.status).toBe(0);
    for (const command of ['create-admin', 'invite', 'reset-link', 'list', 'suspend', 'demo-code']) expect(help.out).toContain(command);
    expect(npm('run', 'admin', '--', 'demo-code').out).toMatch(/^\d{6}$/m);
  });

  it('a production build without SITE_URL or FEEDBACK_EMAIL stops at once with one line', () => {
    const build = (extra: Record<string, string>) => {
      const result = spawnSync('npm', ['--silent', 'run', 'build'], { cwd: root, env: { ...env, NODE_ENV: 'production', ...extra }, encoding: 'utf8' });
      return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
    };
    expect(build({})).toEqual({ status: 1, out: expect.stringMatching(/^Configuration error: SITE_URL is required for a production build[^\n]*$/) });
    expect(build({ SITE_URL: 'https://portal.example.org' })).toEqual({ status: 1, out: expect.stringMatching(/^Configuration error: FEEDBACK_EMAIL is required for a production build[^\n]*$/) });
  });

  it('npm start in production without a mail server stops at once with one line', () => {
    const withoutMail = Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'SMTP_URL'));
    const result = spawnSync('npm', ['--silent', 'start'], { cwd: root, env: { ...withoutMail, NODE_ENV: 'production', SITE_URL: 'https://portal.example.org' }, encoding: 'utf8', timeout: 60_000 });
    expect({ status: result.status, out: `${result.stdout}${result.stderr}`.trim() }).toEqual({ status: 1, out: expect.stringMatching(/^Configuration error: SMTP_URL is required in production[^\n]*$/) });
  });

  it('npm run db:generate finds the committed migrations in step with db/schema.ts', () => {
    expect(npm('run', 'db:generate')).toMatchObject({ status: 0, out: expect.stringContaining('No schema changes') });
  });
});
