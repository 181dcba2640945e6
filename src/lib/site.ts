import { config } from '#lib/config.ts';

/** Site-wide settings, read once at build time. */
export const siteName = 'National Modern Slavery Network';

/** Browser tabs and search results cut a `<title>` short at about this many characters. */
export const TITLE_LIMIT = 65;

/**
 * The `<title>` of a page: its own title and the site's name, or the page's title alone
 * when both would not fit in TITLE_LIMIT (the name is in the header and `og:site_name`
 * anyway). A title too long on its own (a forum thread's may have 150 characters) is cut
 * at a word and ends with "…"; the page's heading still shows it whole.
 */
export function documentTitle(title: string): string {
  const withSiteName = `${title} – ${siteName}`;
  if (title === siteName) return title;
  if (withSiteName.length <= TITLE_LIMIT) return withSiteName;
  if (title.length <= TITLE_LIMIT) return title;
  const cut = title.slice(0, TITLE_LIMIT - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > TITLE_LIMIT / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,:;–-]+$/, '')}…`;
}

/** Where "Is this page useful?" feedback goes; set FEEDBACK_EMAIL when building for production. */
export function feedbackEmail(): string {
  return config().FEEDBACK_EMAIL;
}
