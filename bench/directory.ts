/**
 * Member directory benchmark: what a directory search costs with a large network, in a
 * temporary libSQL file opened and migrated as the app does. It reports figures only
 * and asserts nothing about time; a search that finds the wrong people stops it with a
 * non-zero exit. See bench/README.md.
 *
 *   npm run bench:directory
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { memberProfiles, organisations, organisationTypes, users } from '#db/schema.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { regionKeys, topicKeys } from '#lib/content/taxonomy.ts';
import { findPerson, listPeople, type DirectoryFilters } from '#lib/directory/directory.ts';
import { percentile, printReport } from './report.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 5_000);
const ORGANISATIONS = 200;
const RUNS = 200;
const WARM_UP = 20;

const log = (message: string) => process.stderr.write(`${message}\n`);

/** A seeded PRNG (Park–Miller), so every run builds the same network. */
let seed = 20261201;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const givenNames = ['Alex', 'Sam', 'Priya', 'Jordan', 'Morgan', 'Chris', 'Aisha', 'Tom', 'Hannah', 'Kwame', 'Eilidh', 'Rhys', 'Niamh', 'Oluwaseun', 'Marta'];
const familyNames = ['Ashworth', 'Bennett', 'Chowdhury', 'Davies', 'Evans', 'Fraser', 'Griffiths', 'Hughes', 'Iqbal', 'Jones', 'Kowalski', 'Lewis', 'Murphy', 'Nowak', 'Okafor', 'Patel', 'Quinn', 'Roberts', 'Singh', 'Thompson'];
const titles = ['Modern slavery lead', 'Detective inspector', 'Safeguarding adults lead', 'Policy officer', 'Survivor support manager', 'Border Force officer', 'Senior prosecutor', 'Housing officer', 'Analyst'];

async function timed(runs: number, task: () => Promise<void>) {
  for (let i = 0; i < WARM_UP; i++) await task();
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await task();
    durations.push(performance.now() - t);
  }
  durations.sort((a, b) => a - b);
  return { medianMs: percentile(durations, 50), p95Ms: percentile(durations, 95) };
}

const rows: [string, string, string][] = [];
const fmt = (n: number, digits = 2) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const dir = mkdtempSync(join(tmpdir(), 'nmsn-bench-directory-'));
let db: Database | undefined;
try {
  db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'portal.db')}` });
  await migrateDatabase(db);

  log(`seeding ${MEMBERS} members in ${ORGANISATIONS} organisations, with profiles…`);
  const orgs = await write(db, (tx) =>
    tx
      .insert(organisations)
      .values(Array.from({ length: ORGANISATIONS }, (_, i) => ({ name: `Bench organisation ${i}`, type: pick(organisationTypes), region: pick(regionKeys) })))
      .returning(),
  );
  for (let start = 0; start < MEMBERS; start += 500) {
    const batch = Array.from({ length: Math.min(500, MEMBERS - start) }, (_, j) => {
      const i = start + j;
      return { email: `bench-${i}@example.org`, displayName: `${pick(givenNames)} ${pick(familyNames)} ${i}`, organisationId: pick(orgs).id, passwordHash: 'x', status: i % 20 === 0 ? ('suspended' as const) : ('active' as const) };
    });
    const created = await write(db, (tx) => tx.insert(users).values(batch).returning({ id: users.id }));
    await write(db, (tx) =>
      tx.insert(memberProfiles).values(
        created.map(({ id }) => {
          const shown = random() < 0.3;
          // A hidden number ends 000 and a shown one 111, so the check below can tell them apart.
          return { userId: id, roleTitle: `${pick(titles)}, ${pick(regionKeys)}`, areas: [...new Set([pick(topicKeys), pick(topicKeys), pick(topicKeys)])], workPhone: `01632 960 ${shown ? '111' : '000'}`, showWorkPhone: shown, updatedAt: new Date() };
        }),
      ),
    );
  }
  const someone = (await listPeople(db, {}, 1, 1)).people[0]!;

  const cases: [string, DirectoryFilters][] = [
    ['first page, no filter', {}],
    ['name contains "Ashworth"', { q: 'Ashworth' }],
    ['role title contains "prosecutor"', { q: 'prosecutor' }],
    ['area of practice', { area: topicKeys[0] }],
    ['type + region + area', { type: 'police-force', region: regionKeys[1], area: topicKeys[1] }],
    ['hostile text (% _ \\ and quotes)', { q: `%_\\' " or 1=1 --` }],
  ];

  log(`findPerson (one member by id): ${RUNS} runs…`);
  const baseline = await timed(RUNS, async () => assert.ok(await findPerson(db!, someone.id)));
  rows.push(['findPerson by id (the yardstick)', '1', `${fmt(baseline.medianMs)} / ${fmt(baseline.p95Ms)} ms (1.0×)`]);

  for (const [name, filters] of cases) {
    log(`listPeople, ${name}: ${RUNS} runs…`);
    const { total, people } = await listPeople(db, filters);
    if (filters.q?.startsWith('%')) assert.equal(total, 0, 'hostile text is matched literally');
    else assert.ok(total > 0, `${name} finds someone`);
    assert.ok(people.every((p) => p.workPhone === null || p.workPhone === '01632 960 111'), 'a hidden phone number is never returned');
    const run = await timed(RUNS, async () => void (await listPeople(db!, filters)));
    rows.push([`listPeople, ${name}`, fmt(total, 0), `${fmt(run.medianMs)} / ${fmt(run.p95Ms)} ms (${fmt(run.medianMs / baseline.medianMs, 1)}×)`]);
  }

  printReport(`${fmt(MEMBERS, 0)} members (1 in 20 suspended)`, ['Query', 'Matches', 'Median / p95 (× findPerson)'], rows);
} finally {
  db?.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
