import type { AstroIntegration } from 'astro';
import { patchBundledModule } from './patch-bundled-module.ts';

/** The function in Astro's runtime that hashes an inline style or script for the page's CSP. */
const DIGEST_FUNCTION = 'async function generateCspDigest(data, algorithm) {';
/** Astro's own module, as Vite names it (forward slashes on every platform). */
const ENCRYPTION_MODULE = /\/astro\/dist\/core\/encryption\.js$/;
/** More different inline styles and scripts than the site has; a cap, so memory stays bounded whatever is hashed. */
const MAX_DIGESTS = 1000;

/**
 * Astro 7 hashes each inline style and script of an on-demand page for its
 * Content-Security-Policy on every request (Web Crypto, about 75 µs a hash, two or more
 * per page, a few per cent of a thread page's CPU time), although the texts are the same
 * build-time strings each time. The hash of a text never changes, so this keeps each one:
 * it wraps Astro's `generateCspDigest` in a bounded memo as the build bundles it. The
 * policy sent is the same, byte for byte (decision 034).
 *
 * If a new Astro renames the function, the build stops here with a message, rather than
 * quietly going back to hashing on every request.
 */
export function cspDigestsOnce(): AstroIntegration {
  return patchBundledModule({
    name: 'nmsn:csp-digests-once',
    source: 'src/integrations/csp-digests-once.ts',
    module: ENCRYPTION_MODULE,
    find: DIGEST_FUNCTION,
    replace: [
      'const cspDigests = new Map();',
      'async function generateCspDigest(data, algorithm) {',
      '  const key = `${algorithm}\\n${data}`;',
      '  let digest = cspDigests.get(key);',
      '  if (digest === undefined) {',
      `    if (cspDigests.size >= ${MAX_DIGESTS}) cspDigests.clear();`,
      '    digest = generateCspDigestUncached(data, algorithm);',
      '    cspDigests.set(key, digest);',
      '    digest.catch(() => cspDigests.delete(key));',
      '  }',
      '  return digest;',
      '}',
      'async function generateCspDigestUncached(data, algorithm) {',
    ].join('\n'),
  });
}
