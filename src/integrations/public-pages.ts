import type { AstroIntegration } from 'astro';

/**
 * Which addresses are public pages, from the routes themselves: a page is public when it
 * is prerendered (members' pages, sign-in and account pages render on demand for each
 * request: decision 002). The sitemap asks `isPublicPage`, so a new members' route never
 * needs adding to a list to stay out of it.
 */
export function publicPages(): { integration: AstroIntegration; isPublicPage: (url: string) => boolean } {
  let onDemand: RegExp[] = [];
  return {
    integration: {
      name: 'nmsn:public-pages',
      hooks: {
        'astro:routes:resolved': ({ routes }) => {
          onDemand = routes.filter((route) => route.type === 'page' && !route.isPrerendered).map((route) => route.patternRegex);
        },
      },
    },
    isPublicPage: (url) => {
      const path = new URL(url).pathname.replace(/(.)\/$/, '$1');
      return !onDemand.some((pattern) => pattern.test(path));
    },
  };
}
