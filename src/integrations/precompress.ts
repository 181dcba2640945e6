import type { AstroIntegration } from 'astro';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { PRECOMPRESSED_TYPES } from '#server/precompressed.ts';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Smaller files are not worth an encoded copy (one TCP packet either way). */
const MIN_BYTES = 1024;
/**
 * Brotli at quality 9 compresses the site's scripts to within 1–2 % of quality 11 at a
 * tenth of the time. Above 1 MB (only the browser editor's script) even 9 takes seconds,
 * on every build, for about 4 % over quality 5.
 */
const brotliQuality = (bytes: number) => (bytes > 1_000_000 ? 5 : 9);

/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside every text asset in dist/client
 * (scripts, styles, SVG, JSON, XML, WebAssembly) once the build is done, for the server
 * to send as they are to browsers that accept them (src/server/precompressed.ts). Runs
 * last, after Pagefind has written its files. HTML pages are compressed as they are
 * sent, as on-demand pages are: their headers are decided per request.
 */
export function precompress(): AstroIntegration {
  return {
    name: 'nmsn:precompress',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const files = textAssets(fileURLToPath(dir));
        let saved = 0;
        await Promise.all(
          files.map(async (file) => {
            const bytes = readFileSync(file);
            const [br, gz] = await Promise.all([
              brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality(bytes.length), [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
              gzipped(bytes, { level: 9 }),
            ]);
            // A copy no smaller than the file would only cost the browser time.
            if (br.length < bytes.length) writeFileSync(`${file}.br`, br);
            if (gz.length < bytes.length) writeFileSync(`${file}.gz`, gz);
            saved += bytes.length - Math.min(br.length, bytes.length);
          }),
        );
        logger.info(`compressed ${files.length} assets (brotli saves ${(saved / 1e6).toFixed(1)} MB)`);
      },
    },
  };
}

function textAssets(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return textAssets(path);
    return extname(entry.name) in PRECOMPRESSED_TYPES && statSync(path).size >= MIN_BYTES ? [path] : [];
  });
}
