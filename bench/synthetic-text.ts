/**
 * Seeded synthetic prose for the benchmarks: the same text on every run, with word
 * frequencies like real writing (a few words very often, most rarely).
 */

/** mulberry32: a small seeded PRNG, so every run builds the same text. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const some = <T>(items: readonly T[], min: number, max: number): T[] => {
    const pool = [...items];
    const chosen: T[] = [];
    for (let n = int(min, max); n > 0 && pool.length; n--) chosen.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
    return chosen;
  };
  return { next, int, pick, some };
}
export type Random = ReturnType<typeof prng>;

// About 300 words: glue words first (drawn most often), then the domain's words.
// No { } < > anywhere (MDX), and nothing a line could start with that MDX treats as code.
const VOCABULARY = `
the a of and to in for with on by as at from that this is are be can may should must will
not or it their they we you your our when where which who if all any each before after
about more other than into also only such these those every both most some
victim victims survivor survivors trafficking trafficked exploitation exploited slavery
modern forced labour servitude domestic sexual criminal county lines debt bondage
referral referrals mechanism competent authority decision reasonable grounds conclusive
safeguarding safeguard risk risks harm concern concerns welfare wellbeing protection
police officer officers constabulary investigation investigator investigators evidence
prosecution prosecutor court witness statement statements disclosure interview interviews
local council councils authority authorities housing health nurse nurses doctor clinic
hospital school schools teacher social worker workers care children child adult adults
young person people family families community communities partner partners partnership
network networks regional region national board boards chair meeting meetings agenda
minutes action actions plan plans strategy strategies policy policies procedure
procedures protocol protocols guidance practice practitioner practitioners training
awareness campaign campaigns leaflet poster posters helpline hotline charity charities
voluntary sector organisation organisations agency agencies multi support supported
accommodation shelter safe house emergency interpreter interpreters language languages
translation consent informed confidential confidentiality information sharing data record
records recording case cases caseworker coordinator coordination lead leads contact
contacts referrer first responder responders identification identify identifying
indicator indicators signs sign recognise recognising respond response responses report
reporting reported escalate escalation review reviews reviewed audit quality standard
standards outcome outcomes measure monitoring feedback lesson lessons learned learning
exercise exercises scenario tabletop debrief debriefing workshop workshops session
sessions employer employers business businesses supply chain chains recruitment agency
wages passport documents immigration status benefits bank account accounts finance
financial fraud money laundering organised crime group groups gang gangs control
coercion threat threats violence abuse fear trust rapport trauma informed approach
recovery reflection period advocacy advocate advocates legal advice solicitor rights
entitlement entitlements assistance needs assessment assessments plan timely early
urgent immediate ongoing regular annual quarterly weekly funding budget commissioning
contract contracts provider providers service services capacity resource resources
`;
export const words = VOCABULARY.split(/\s+/).filter(Boolean);

/** Zipf-like weights: earlier words are drawn more often, as in real prose. */
const cumulative = (() => {
  let sum = 0;
  const acc = words.map((_, rank) => (sum += 1 / (rank + 8)));
  return acc.map((v) => v / sum);
})();
export function word(r: Random): string {
  const x = r.next();
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return words[lo]!;
}

export const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);
