import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig, productionBuildProblem, useProductionLibraries } from '#lib/config.ts';

/** The one line a bad setting stops start-up with. */
function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('configuration', () => {
  it('defaults to localhost:4321, the embedded database and its public origin', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ HOST: 'localhost', PORT: 4321, SITE_URL: 'http://localhost:4321', DATABASE_URL: 'file:data/portal.db', production: false });
    expect(config.FEEDBACK_EMAIL).toBe('feedback@localhost');
  });

  it('has one default for SITE_URL, following PORT, and derives the feedback address from it', () => {
    expect(loadConfig({ PORT: '8080' }).SITE_URL).toBe('http://localhost:8080');
    const config = loadConfig({ SITE_URL: 'https://portal.example.org' });
    expect(config.SITE_URL).toBe('https://portal.example.org');
    expect(config.FEEDBACK_EMAIL).toBe('feedback@portal.example.org');
  });

  it('treats an empty value as not set', () => {
    expect(loadConfig({ SITE_URL: '', TOTP_ENCRYPTION_KEY: '' })).toMatchObject({ SITE_URL: 'http://localhost:4321', TOTP_ENCRYPTION_KEY: undefined });
  });

  it('knows production from PORTAL_ENV, else from NODE_ENV', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).production).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).production).toBe(false);
    expect(loadConfig({ PORTAL_ENV: 'production' }).production).toBe(true);
    expect(loadConfig({ PORTAL_ENV: 'development', NODE_ENV: 'production' }).production).toBe(false);
    expect(loadConfig({ PORTAL_ENV: 'production', NODE_ENV: 'development' }).production).toBe(true);
    expect(failure({ PORTAL_ENV: 'staging' })).toBe('Configuration error: PORTAL_ENV must be production or development');
  });

  it('npm start runs the libraries in production without making a demo a deployment (decision 032)', () => {
    const run = (given: Record<string, string>) => {
      const env: Record<string, string | undefined> = { ...given };
      useProductionLibraries(env);
      return { PORTAL_ENV: env.PORTAL_ENV, NODE_ENV: env.NODE_ENV, production: loadConfig(env).production };
    };
    // A demo: React and the rest in production, the portal still a demo.
    expect(run({})).toEqual({ PORTAL_ENV: 'development', NODE_ENV: 'production', production: false });
    // A deployment as the docs have always said to start one.
    expect(run({ NODE_ENV: 'production' })).toEqual({ PORTAL_ENV: 'production', NODE_ENV: 'production', production: true });
    expect(run({ PORTAL_ENV: 'production' })).toEqual({ PORTAL_ENV: 'production', NODE_ENV: 'production', production: true });
    // Told otherwise: React's development build, with its warnings.
    expect(run({ NODE_ENV: 'development' })).toEqual({ PORTAL_ENV: 'development', NODE_ENV: 'development', production: false });
    // A build started from a demo is not held to a deployment's settings; one from a deployment is.
    const demo: Record<string, string | undefined> = {};
    useProductionLibraries(demo);
    expect(productionBuildProblem(demo)).toBeNull();
    const deployment: Record<string, string | undefined> = { NODE_ENV: 'production' };
    useProductionLibraries(deployment);
    expect(productionBuildProblem(deployment)).toMatch(/^Configuration error: SITE_URL is required/);
  });

  it('runs one server process unless told otherwise', () => {
    expect(loadConfig({}).WEB_CONCURRENCY).toBe(1);
    expect(loadConfig({ WEB_CONCURRENCY: '4' }).WEB_CONCURRENCY).toBe(4);
  });

  it('accepts a 32-byte TOTP key', () => {
    const key = randomBytes(32).toString('base64');
    expect(loadConfig({ TOTP_ENCRYPTION_KEY: key }).TOTP_ENCRYPTION_KEY).toBe(key);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SITE_URL: 'ftp://example.org' }, 'SITE_URL'],
    [{ SITE_URL: 'not a url' }, 'SITE_URL'],
    [{ FEEDBACK_EMAIL: 'nobody' }, 'FEEDBACK_EMAIL'],
    [{ DATABASE_URL: 'postgres://db.example/portal' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'data/portal.db' }, 'DATABASE_URL'],
    [{ DATABASE_URL: '' }, 'DATABASE_URL'],
    [{ DATABASE_SYNC_URL: 'ftp://replica.example' }, 'DATABASE_SYNC_URL'],
    [{ TOTP_ENCRYPTION_KEY: randomBytes(16).toString('base64') }, 'TOTP_ENCRYPTION_KEY'],
    [{ WEB_CONCURRENCY: '0' }, 'WEB_CONCURRENCY'],
    [{ WEB_CONCURRENCY: 'four' }, 'WEB_CONCURRENCY'],
    [{ WEB_CONCURRENCY: '2.5' }, 'WEB_CONCURRENCY'],
  ])('stops on a bad value with one line naming the variable (%o)', (env, name) => {
    const message = failure(env);
    expect(message).toMatch(new RegExp(`^Configuration error: ${name} `));
    expect(message).not.toContain('\n');
  });
});
