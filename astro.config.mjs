// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import react from '@astrojs/react';
import node from '@astrojs/node';
import sitemap from '@astrojs/sitemap';
import { pagefindIndexes } from '#integrations/pagefind.ts';
import { config } from '#lib/config.ts';
import { contentLinks } from '#integrations/content-links.ts';
import { membersFiles } from '#integrations/members-files.ts';
import { publicPages } from '#integrations/public-pages.ts';
import { precompress } from '#integrations/precompress.ts';
import { cspDigestsOnce } from '#integrations/csp-digests-once.ts';
import { reactRenderToString } from '#integrations/react-render-to-string.ts';

// Settings come from the environment, validated in one place (src/lib/config.ts).
const settings = config();
// The public origin, used for canonical URLs, Open Graph, the sitemap and RSS.
const site = settings.SITE_URL;
const pages = publicPages();

export default defineConfig({
  site,
  // Lossless whitespace removal: Astro 7's default ('jsx') drops the spaces between prose and links.
  compressHTML: true,
  // Benchmarks and build tests point the build at another content folder and output.
  outDir: settings.BUILD_OUT_DIR,
  cacheDir: settings.BUILD_CACHE_DIR,
  output: 'static',
  adapter: node({ mode: 'standalone' }),
  trailingSlash: 'never',
  // While serving, Astro's own messages join the portal's JSON log (src/lib/log.ts).
  logger: { entrypoint: new URL('./src/integrations/astro-logger.ts', import.meta.url) },
  // Shiki's inline styles would need 'unsafe-inline' under our CSP; guides have no code to colour.
  markdown: { syntaxHighlight: false },
  integrations: [
    mdx(),
    react(),
    // Each inline style's and script's CSP hash computed once, not on every request.
    cspDigestsOnce(),
    reactRenderToString(),
    // Only public pages belong in the sitemap: what renders on demand (sign-in, account,
    // members' pages, the forum) is left out, as the routes themselves declare.
    pages.integration,
    sitemap({ filter: pages.isPublicPage }),
    contentLinks(),
    pagefindIndexes(),
    membersFiles(),
    // Last: brotli and gzip copies of every text asset, Pagefind's included.
    precompress(),
  ],
  security: {
    checkOrigin: true,
    // Astro believes X-Forwarded-* on requests for these hosts. That alone would let any
    // client choose its address (any client can send any Host), so our server removes
    // forwarded headers unless the connection comes from a TRUSTED_PROXIES address, and
    // hands Astro the one address it worked out (src/server/forwarded.ts).
    allowedDomains: [{ hostname: new URL(site).hostname }, { hostname: 'localhost' }, { hostname: '127.0.0.1' }],
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        // Pagefind runs its search in a web worker.
        "worker-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
      ],
      // Pagefind compiles its WebAssembly search engine in the browser.
      scriptDirective: { resources: ["'self'", "'wasm-unsafe-eval'"] },
    },
  },
});
