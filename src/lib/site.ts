/** Site-wide settings, read once at build time. */
export const siteName = 'National Modern Slavery Network';

/** Where "Is this page useful?" feedback goes; set FEEDBACK_EMAIL when building for production. */
export function feedbackEmail(site: URL): string {
  return process.env.FEEDBACK_EMAIL ?? `feedback@${site.hostname}`;
}
