import type { ConfigData } from 'html-validate';
import { TITLE_LIMIT } from '#lib/site.ts';

/**
 * How the portal's HTML is validated (tests/e2e/html-validity.spec.ts): html-validate's
 * recommended rules, with the exceptions below, each for a reason of its own. Everything
 * else (content models, duplicate attributes and names, labels, headings) is checked as
 * html-validate recommends.
 */
export const htmlValidateConfig: ConfigData = {
  extends: ['html-validate:recommended'],
  rules: {
    // Stricter than the recommended 70: browser tabs and search results cut a title at
    // about 65 characters, and src/lib/site.ts `documentTitle` keeps every title within it.
    'long-title': ['error', { maxlength: TITLE_LIMIT }],
    // React's server renderer writes some attribute names as JSX spells them
    // (autoComplete, spellCheck). HTML attribute names are case-insensitive, so browsers
    // read them as lower case; anything else (upper or Pascal case) is still refused.
    'attr-case': ['error', { style: ['lowercase', 'camelcase'] }],
    // React's server renderer closes void elements as `<input/>`, Astro writes `<input>`:
    // both are valid HTML, and only the spelling differs.
    'void-style': 'off',
    // React's useId() makes ids such as `_r1R_0_-q`. HTML allows any id without spaces;
    // the strict form (a letter first) is an HTML 4 habit. Spaces are still refused.
    'valid-id': ['error', { relaxed: true }],
    // A group of checkboxes shares one name (the profile's areas of practice), as radio
    // buttons do: the server reads every ticked value with getAll().
    'form-dup-name': ['error', { shared: ['radio', 'button', 'reset', 'submit', 'checkbox'] }],
  },
};
