import type { APIRoute } from 'astro';
import { readFile } from 'node:fs/promises';
import { imageProblem, sniffRasterFormat } from '#lib/content/images.ts';
import { contentDir } from '#lib/content/source-files.ts';
import { requireEditorPage } from '#lib/editing/access.ts';
import { editablePath } from '#lib/editing/paths.ts';

export const prerender = false;

const notFound = () => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store' } });

/**
 * An image saved with the content but not yet published, for editors' previews only.
 * The public site serves images only from a published build.
 */
export const GET: APIRoute = async (context) => {
  const editor = await requireEditorPage(context);
  if (editor instanceof Response) return editor;
  const path = editablePath(contentDir(), context.params.path);
  if (!path.ok || path.kind !== 'image') return notFound();
  let bytes: Buffer;
  try {
    bytes = await readFile(path.absolute);
  } catch {
    return notFound();
  }
  if (imageProblem(path.path.split('/').pop()!, bytes.byteLength, bytes.subarray(0, 16))) return notFound();
  return new Response(new Uint8Array(bytes), {
    headers: {
      'Content-Type': `image/${sniffRasterFormat(bytes)}`,
      'Cache-Control': 'private, no-store',
      'Content-Disposition': 'inline',
      'X-Content-Type-Options': 'nosniff',
    },
  });
};
