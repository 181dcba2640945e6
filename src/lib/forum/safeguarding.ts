/**
 * The safeguarding check: before a post is saved, look for text that could be a
 * victim's personal data, so the author can take it out or confirm it is meant to be
 * there. It warns, it never blocks, and it never stores what it found: the author's
 * confirmation is audited as facts (which kinds), never the text.
 *
 * The rules lean towards warning: a false alarm costs one click, a missed date of
 * birth or phone number can put someone at risk. They stay narrow enough that the
 * things members write every day (helpline numbers, meeting dates, the year an Act
 * came in, "NRM referrals rose to 17,004") pass without a warning. Each rule has true
 * positives and near-misses in tests/unit/forum-safeguarding.test.ts.
 */

import type { Refusal } from '#lib/result.ts';

export const personalDataKinds = {
  'date-of-birth': 'a date of birth',
  'phone-number': 'a UK phone number',
  address: 'a house number and postcode',
  'crime-reference': 'a crime reference number',
  'nrm-reference': 'an NRM reference',
} as const;

export type PersonalDataKind = keyof typeof personalDataKinds;

export interface SafeguardingFinding {
  kind: PersonalDataKind;
  /** What it looks like, for the author: "a UK phone number". */
  label: string;
  /** The text that matched, shown only to its author on the warning. */
  text: string;
  /** Where it starts in the text. */
  index: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;

/** dd/mm/yyyy, dd-mm-yy, dd.mm.yyyy (UK order). */
const NUMERIC_DATE = /(?<![\d/.-])(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?![\d/.-]*\d)/g;
/** yyyy-mm-dd. */
const ISO_DATE = /(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])/g;
/** 3 March 1998, 3rd of March 1998. */
const DAY_MONTH_YEAR = new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+${MONTH_WORD}\.?,?\s+(\d{4})\b`, 'gi');
/** March 3, 1998. */
const MONTH_DAY_YEAR = new RegExp(String.raw`\b${MONTH_WORD}\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`, 'gi');
/** DOB, D.O.B., date of birth, born (on), birthday: a date just after these is a birth date. */
const BIRTH_WORDS = /(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bborn\b|\bbirth\s?date\b|\bbirthday\b)[^\n]{0,16}$/i;

/**
 * +44 / 0044 / 0 then a mobile (7…) or geographic (1…, 2…) number, with the spaces,
 * hyphens and brackets people type. Freephone, non-geographic and short numbers (0800,
 * 0300, 999, 101) are helplines, not someone's own phone, so they do not match.
 */
const PHONE = /(?<![\w+])(?:(?:\+|00)44[\s-]?(?:\(0\)[\s-]?)?|\(?0)([127][\d\s)-]{7,14}\d)(?!\d)/g;

/** A full UK postcode (outward and inward parts). */
const POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?)\s?(\d[A-Z]{2})\b/gi;
const STREET_WORDS = 'street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|cres|place|pl|terrace|gardens|gdns|grove|hill|row|walk|square|sq|park|mews|view|green|parade|rise|yard|wharf';
/** A house number before it: "12 Acacia Avenue", "Flat 3", "14b Mill Lane". */
const HOUSE_NUMBER = new RegExp(
  String.raw`(?:\b(?:flat|apartment|apt|unit)\s+\d+[a-z]?\b|\b\d{1,4}[a-z]?,?\s+(?:[a-z'’.-]+\s+){0,3}(?:${STREET_WORDS})\b)`,
  'i',
);

/** "crime reference 12/34567/24", "CRN: MP-0123456", "crime no. 4312345/24". */
const CRIME_REFERENCE_AFTER_WORDS =
  /\b(?:crime\s+(?:ref(?:erence)?|no|number|report\s+(?:no|number))|CRN|CRIS|occurrence\s+(?:no|number|ref(?:erence)?)|incident\s+(?:no|number|ref(?:erence)?)|police\s+ref(?:erence)?)\b\.?(?:\s*(?:no\.?|number|is))?[\s:#-]*([A-Z0-9][A-Z0-9/-]{3,24})/gi;
/** Force formats on their own: "CR/012345/24", "43/123456/24". */
const CRIME_REFERENCE_FORMAT = /\b(?:[A-Z]{2,4}|\d{1,3})\/\d{4,8}\/\d{2,4}\b/g;

/** "NRM ref 2024-000123", "NRM-123456", "SCA reference: 1234567". */
const NRM_REFERENCE =
  /\b(?:NRM|SCA)\b[\s-]*(?:(?:ref(?:erence)?|referral|case|id|no|number)\b\.?)?(?:\s+(?:no\.?|number|id)\b)?[\s.:#-]*([A-Z0-9][A-Z0-9/-]{3,24})/gi;

const digitCount = (s: string) => (s.match(/\d/g) ?? []).length;

function validDayMonth(day: number, month: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function fullYear(year: string, now: Date): number {
  if (year.length === 4) return Number(year);
  // Two-digit years are only read after a birth word: pick the century that puts it in the past.
  const y = Number(year);
  const thisYear = now.getUTCFullYear();
  return 2000 + y > thisYear ? 1900 + y : 2000 + y;
}

function findDates(text: string, now: Date): SafeguardingFinding[] {
  const found: SafeguardingFinding[] = [];
  const thisYear = now.getUTCFullYear();
  const add = (match: RegExpExecArray, day: number, month: number, year: number, written: 'numeric' | 'words') => {
    if (!validDayMonth(day, month) || year > thisYear || year < thisYear - 110) return;
    const before = text.slice(Math.max(0, match.index - 40), match.index);
    const afterBirthWord = BIRTH_WORDS.test(before);
    // Without a birth word, only numeric dates old enough to be someone's birthday (5+
    // years ago) warn: case notes write birth dates as 12/03/1998, while posts write
    // meetings as recent dates and history ("31 July 2015") in words.
    const looksLikeBirthDate = written === 'numeric' && year <= thisYear - 5;
    if (afterBirthWord || looksLikeBirthDate) {
      found.push({ kind: 'date-of-birth', label: personalDataKinds['date-of-birth'], text: match[0], index: match.index });
    }
  };
  for (const m of text.matchAll(NUMERIC_DATE)) {
    if (m[3]!.length === 2 && !BIRTH_WORDS.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
    add(m, Number(m[1]), Number(m[2]), fullYear(m[3]!, now), 'numeric');
  }
  for (const m of text.matchAll(ISO_DATE)) add(m, Number(m[3]), Number(m[2]), Number(m[1]), 'numeric');
  for (const m of text.matchAll(DAY_MONTH_YEAR)) add(m, Number(m[1]), MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1, Number(m[3]), 'words');
  for (const m of text.matchAll(MONTH_DAY_YEAR)) add(m, Number(m[2]), MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()) + 1, Number(m[3]), 'words');
  return found;
}

function findPhoneNumbers(text: string): SafeguardingFinding[] {
  const found: SafeguardingFinding[] = [];
  for (const m of text.matchAll(PHONE)) {
    // The national number without its leading 0: 10 digits for a mobile, 9 or 10 for a landline.
    const national = m[1]!.replace(/\D/g, '');
    const mobile = /^7[1-57-9]\d{8}$/.test(national);
    const landline = /^[12]\d{8,9}$/.test(national);
    if (mobile || landline) found.push({ kind: 'phone-number', label: personalDataKinds['phone-number'], text: m[0].trim(), index: m.index });
  }
  return found;
}

function findAddresses(text: string): SafeguardingFinding[] {
  const found: SafeguardingFinding[] = [];
  for (const m of text.matchAll(POSTCODE)) {
    const lineStart = text.lastIndexOf('\n', m.index - 1) + 1;
    const before = text.slice(Math.max(lineStart, m.index - 100), m.index);
    const house = HOUSE_NUMBER.exec(before);
    if (!house) continue;
    const start = Math.max(lineStart, m.index - 100) + house.index;
    found.push({ kind: 'address', label: personalDataKinds.address, text: text.slice(start, m.index + m[0].length), index: start });
  }
  return found;
}

function findReferences(text: string): SafeguardingFinding[] {
  const found: SafeguardingFinding[] = [];
  for (const m of text.matchAll(CRIME_REFERENCE_AFTER_WORDS)) {
    if (digitCount(m[1]!) >= 4) found.push({ kind: 'crime-reference', label: personalDataKinds['crime-reference'], text: m[0], index: m.index });
  }
  for (const m of text.matchAll(CRIME_REFERENCE_FORMAT)) {
    found.push({ kind: 'crime-reference', label: personalDataKinds['crime-reference'], text: m[0], index: m.index });
  }
  for (const m of text.matchAll(NRM_REFERENCE)) {
    if (digitCount(m[1]!) >= 5) found.push({ kind: 'nrm-reference', label: personalDataKinds['nrm-reference'], text: m[0], index: m.index });
  }
  return found;
}

/**
 * Everything in `text` that looks like a victim's personal data, in the order it
 * appears; one finding per place (a crime reference found by two rules counts once).
 */
export function findPersonalData(text: string, now = new Date()): SafeguardingFinding[] {
  const all = [...findDates(text, now), ...findPhoneNumbers(text), ...findAddresses(text), ...findReferences(text)];
  all.sort((a, b) => a.index - b.index || b.text.length - a.text.length);
  const kept: SafeguardingFinding[] = [];
  for (const finding of all) {
    const overlaps = kept.some((k) => k.kind === finding.kind && finding.index < k.index + k.text.length && k.index < finding.index + finding.text.length);
    if (!overlaps) kept.push(finding);
  }
  return kept;
}

/** The kinds found, each once, for the audit record (never the text itself). */
export function findingKinds(findings: readonly SafeguardingFinding[]): PersonalDataKind[] {
  return [...new Set(findings.map((f) => f.kind))];
}

/** The message beside the post field when the check finds something. */
export const SAFEGUARDING_MESSAGE =
  'This may contain a victim’s personal data. Check the details listed below: take them out, or confirm that sharing them here is necessary and safe.';

/** Whether a form's last submission was held by the check: its message is on the body field. */
export function heldBySafeguarding(fieldErrors: Record<string, string>): boolean {
  return fieldErrors.body === SAFEGUARDING_MESSAGE;
}

/** The post was not saved: it may hold personal data, and the author has not confirmed it. */
export interface SafeguardingHold extends Refusal {
  reason: 'safeguarding';
  field: 'body';
  findings: SafeguardingFinding[];
}

/** Null when the text may be saved now (nothing found, or its author confirmed it); otherwise the hold to show. */
export function safeguardingHold(text: string, confirmed: boolean | undefined, now = new Date()): SafeguardingHold | null {
  if (confirmed) return null;
  const findings = findPersonalData(text, now);
  return findings.length ? { ok: false, reason: 'safeguarding', field: 'body', message: SAFEGUARDING_MESSAGE, findings } : null;
}
