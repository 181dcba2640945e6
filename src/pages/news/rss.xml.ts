import rss from '@astrojs/rss';
import type { APIRoute } from 'astro';
import { entryUrl, getPublicEntries } from '#lib/content/library.ts';
import { siteName } from '#lib/site.ts';

export const GET: APIRoute = async ({ site }) => {
  const news = await getPublicEntries('news');
  return rss({
    title: `${siteName}: news`,
    description: 'News, workshop reports and events from the National Modern Slavery Network.',
    site: site!,
    // Our addresses have no trailing slash (trailingSlash: 'never'); with one they answer 301.
    trailingSlash: false,
    items: news.map((entry) => ({
      title: entry.data.title,
      description: entry.data.summary,
      pubDate: entry.data.published,
      link: entryUrl(entry),
      categories: [entry.data.kind],
    })),
    customData: '<language>en-gb</language>',
  });
};
