import { config } from '#lib/config.ts';

/** Site-wide settings, read once at build time. */
export const siteName = 'National Modern Slavery Network';

/** Where "Is this page useful?" feedback goes; set FEEDBACK_EMAIL when building for production. */
export function feedbackEmail(): string {
  return config().FEEDBACK_EMAIL;
}
