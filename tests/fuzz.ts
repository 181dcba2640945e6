/**
 * Hostile and random values for the fuzz tests (fast-check), shared by the unit,
 * integration and end-to-end fuzzing: control characters and NUL, very long text, path
 * tricks, broken percent-encoding, SQL, FTS, HTML and JavaScript snippets, numbers that
 * are huge, negative, fractional or not numbers at all. Every property runs from a fixed
 * seed (FUZZ_SEED to choose another) so a failure replays; fast-check prints the seed and
 * path of the failing case (docs/development.md, "Fuzz tests").
 */
import fc from 'fast-check';

/** fast-check's run options: a fixed seed unless FUZZ_SEED says otherwise, and FUZZ_RUNS to run more. */
export function fuzzOptions(numRuns: number): { seed: number; numRuns: number; endOnFailure: boolean; path?: string } {
  const seed = Number(process.env.FUZZ_SEED ?? 20261202);
  const runs = Number(process.env.FUZZ_RUNS ?? numRuns);
  return { seed, numRuns: runs, endOnFailure: true, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) };
}

/** Written to break a parser, a query, a page or a path. */
export const hostileSnippets = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m\u007f',
  '\r\n',
  'x\r\nSet-Cookie: a=b',
  '\t\v\f',
  '\u202Eevil\u202C',
  '\u2066x\u2069',
  '\uFEFF',
  '\u00A0',
  '\u2028\u2029',
  '\uD800',
  '\uDFFFx',
  '😀👩‍👩‍👧',
  'e\u0301\u0301\u0301',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '%FF%FE',
  '%2e%2e%2f',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/',
  '//evil.example/x',
  'https://evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  "' OR '1'='1",
  "1; DROP TABLE users; --",
  '"',
  "'",
  '`',
  '\\',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</textarea><script>alert(1)</script>',
  '<!--',
  ']]>',
  '&amp;&lt;&#0;&#x110000;',
  'NEAR(a b)',
  'a* OR b',
  '"unbalanced',
  'AND',
  'NOT',
  '^',
  '*',
  '(',
  'title:x',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '{"a":',
];

/** Number-like text: valid-looking and not. */
export const hostileNumbers = [
  '0',
  '-0',
  '-1',
  '1.5',
  '1e3',
  '1e21',
  '1e309',
  '-1e309',
  'Infinity',
  'NaN',
  '0x10',
  '0b11',
  '+1',
  ' 1',
  '1 ',
  '00001',
  '9007199254740991',
  '9007199254740993',
  '99999999999999999999999',
  '-9223372036854775809',
  '1,000',
  '١٢٣',
  '１',
];

const long = fc.tuple(fc.constantFrom('x', '€', '😀', '\u0000', 'a ', '<b>', '*', '\n'), fc.integer({ min: 200, max: 25_000 })).map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

/** Any text: snippets, random code points (control characters, lone surrogates), very long runs, and mixtures. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileSnippets) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: long },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...hostileSnippets, ...hostileNumbers), fc.string({ maxLength: 10 })), { minLength: 2, maxLength: 5 }).map((parts) => parts.join('')) },
);

/** Number-like text: numbers of every size and sign, written every way, and text that is no number. */
export const hostileNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...hostileNumbers),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  hostileText,
);

/** True for text a server would read as an existing row's id (a small positive whole number). */
const couldBeARealId = (value: string) => /^\s*\+?0*[1-9]\d{0,8}(\.0*)?\s*$/.test(value) || /^\s*0*[1-9]\d{0,8}e0\s*$/i.test(value);

/**
 * Ids: hostile numbers, never one that could name a row the test does not own (other
 * tests share the database), plus `own` ids the test made for itself.
 */
export function hostileId(own: readonly string[] = []): fc.Arbitrary<string> {
  const foreign = hostileNumber.filter((value) => !couldBeARealId(value));
  return own.length ? fc.oneof({ weight: 4, arbitrary: foreign }, { weight: 1, arbitrary: fc.constantFrom(...own) }) : foreign;
}

/** A value for a form field: mostly one, sometimes the field twice (an array where a scalar is expected). */
export function fieldValues(value: fc.Arbitrary<string>): fc.Arbitrary<string[]> {
  return fc.oneof({ weight: 5, arbitrary: value.map((v) => [v]) }, { weight: 1, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }) });
}
