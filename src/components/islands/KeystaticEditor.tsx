import { makePage } from '@keystatic/astro/ui';
import config from '#lib/editing/keystatic-config.ts';

/** Keystatic's editor app (client-only), with the library's configuration. */
export default makePage(config);
