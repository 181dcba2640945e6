import { describe, expect, it } from 'vitest';
import { findingKinds, findPersonalData, type PersonalDataKind } from '#lib/forum/safeguarding.ts';

// A fixed "now", so which dates are old enough to be birthdays does not drift.
const NOW = new Date('2026-06-01T12:00:00Z');
const kinds = (text: string) => findPersonalData(text, NOW).map((f) => f.kind);
const found = (text: string) => findPersonalData(text, NOW).map((f) => f.text);

// Phone numbers below are from Ofcom's ranges set aside for drama (07700 900xxx,
// 0113 496 0xxx, 020 7946 0xxx): they look real and ring no one.
const truePositives: [PersonalDataKind, string, string][] = [
  ['date-of-birth', 'DOB: 12/03/1998', '12/03/1998'],
  ['date-of-birth', 'D.O.B. 3.7.2004, seen at the car wash', '3.7.2004'],
  ['date-of-birth', 'd.o.b 12.3.98', '12.3.98'],
  ['date-of-birth', 'She was born on 3 March 2001 in Leeds', '3 March 2001'],
  ['date-of-birth', 'date of birth 1998-03-12', '1998-03-12'],
  ['date-of-birth', 'born March 3rd, 2010', 'March 3rd, 2010'],
  ['date-of-birth', 'seen with a man (14/07/1989) at the site', '14/07/1989'],
  ['phone-number', 'call him on 07700 900123', '07700 900123'],
  ['phone-number', 'her number is 07700900456.', '07700900456'],
  ['phone-number', 'mobile +44 7700 900 789', '+44 7700 900 789'],
  ['phone-number', 'landline (0113) 496 0000', '(0113) 496 0000'],
  ['phone-number', 'ring 020 7946 0018 after six', '020 7946 0018'],
  ['phone-number', 'or +44 (0)20 7946 0018', '+44 (0)20 7946 0018'],
  ['phone-number', 'text 07700-900-321', '07700-900-321'],
  ['address', 'She lives at 12 Acacia Avenue, Leeds LS1 4AB', '12 Acacia Avenue, Leeds LS1 4AB'],
  ['address', 'Flat 3, Mill House, M1 1AE', 'Flat 3, Mill House, M1 1AE'],
  ['address', 'found at 14b Mill Lane, sw1a 1aa', '14b Mill Lane, sw1a 1aa'],
  ['crime-reference', 'crime reference 43/123456/24', 'crime reference 43/123456/24'],
  ['crime-reference', 'CRN: MP-0123456', 'CRN: MP-0123456'],
  ['crime-reference', 'CR/012345/24 was raised', 'CR/012345/24'],
  ['crime-reference', 'see crime ref. 4312345/24', 'crime ref. 4312345/24'],
  ['crime-reference', 'incident number 2024-0099', 'incident number 2024-0099'],
  ['nrm-reference', 'NRM ref 2024-000123', 'NRM ref 2024-000123'],
  ['nrm-reference', 'her NRM-123456 came back positive', 'NRM-123456'],
  ['nrm-reference', 'NRM referral number: 7654321', 'NRM referral number: 7654321'],
  ['nrm-reference', 'SCA reference: 1234567', 'SCA reference: 1234567'],
];

const nearMisses: [string, string][] = [
  ['an Act in words', 'The Modern Slavery Act came into force on 31 July 2015.'],
  ['a recent meeting date', 'We meet on 12/03/2026 at 10:00, and again on 2025-11-04.'],
  ['a year of birth alone', 'born in 1998, arrived in 2019'],
  ['a two-digit-year date without a birth word', 'see the 12/03/24 minutes'],
  ['an impossible date', 'DOB 45/13/1998'],
  ['a version number', 'version 1.2.3 of the guide'],
  ['the Modern Slavery Helpline', 'Modern Slavery Helpline 08000 121 700'],
  ['emergency and non-emergency numbers', 'call 999, or 101 if it is not urgent'],
  ['a non-geographic number', 'our office on 0300 123 4567'],
  ['numbers that are not phone numbers', 'there were 2,000 calls; case 1234501234567; 10,000 leaflets'],
  ['a short number starting 07', 'room 0712'],
  ['a postcode without a house number', 'Our office is in LS1 4AB.'],
  ['a number and a postcode with no street', '12 officers attended in M1 1AE'],
  ['a postcode district', 'the LS1 area'],
  ['crime references in general', 'crime reference numbers must never be posted here'],
  ['a crime reference with too few digits', 'crime ref 123'],
  ['NRM statistics', 'NRM referrals rose to 17,004 in 2023'],
  ['an NRM form', 'fill in the NRM referral form'],
  ['an NRM year', 'the NRM referral 2024 figures'],
  ['a date range', '2015-2020 strategy'],
];

describe('the safeguarding check', () => {
  for (const [kind, text, match] of truePositives) {
    it(`finds ${kind} in "${text}"`, () => {
      expect(kinds(text)).toContain(kind);
      expect(found(text)).toContain(match);
    });
  }

  for (const [what, text] of nearMisses) {
    it(`lets ${what} through: "${text}"`, () => {
      expect(findPersonalData(text, NOW)).toEqual([]);
    });
  }

  it('lists several findings in the order they appear, each place once', () => {
    const text = 'Crime reference 43/123456/24. Call 07700 900123. DOB 01/02/2003.';
    expect(kinds(text)).toEqual(['crime-reference', 'phone-number', 'date-of-birth']);
    expect(findingKinds(findPersonalData(`${text} Also 07700 900124.`, NOW))).toEqual(['crime-reference', 'phone-number', 'date-of-birth']);
  });

  it('reports where each finding is, with a label for the author', () => {
    const [finding] = findPersonalData('Her number: 07700 900123', NOW);
    expect(finding).toEqual({ kind: 'phone-number', label: 'a UK phone number', text: '07700 900123', index: 12 });
  });

  it('keeps a post without personal data free of warnings', () => {
    const post = [
      '## Lessons from the exercise',
      '',
      'We ran the tabletop on 14 May with 40 people from 9 agencies. The NRM received 17,004 referrals in 2023.',
      'Read the [guide](/guides/running-a-multi-agency-response) and call the helpline on 08000 121 700.',
    ].join('\n');
    expect(findPersonalData(post, NOW)).toEqual([]);
  });
});
