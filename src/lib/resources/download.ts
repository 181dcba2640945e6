import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { config, type Config } from '#lib/config.ts';
import { privateBuildDir } from '#lib/content/members-index-files.ts';

/** Where the build copies members' resource files, relative to the build output (dist/): never under client/. */
export const MEMBERS_FILES_FOLDER = 'private/resources';

/** The members' files on disk; MEMBERS_FILES_DIR overrides it when a deployment moves the build output apart. */
export function membersFilesDir(settings: Partial<Pick<Config, 'MEMBERS_FILES_DIR'>> = config()): string {
  return settings.MEMBERS_FILES_DIR ? resolve(settings.MEMBERS_FILES_DIR) : privateBuildDir(MEMBERS_FILES_FOLDER);
}

/** A members' file's place in that folder: one folder per resource id, the file under its own name. */
export function membersFilePath(root: string, id: string, fileName: string): string {
  return join(root, id, fileName);
}

export type ByteRange = { start: number; end: number };

/**
 * The one byte range a `Range` header asks for (RFC 9110 §14): `bytes=0-99`, `bytes=100-`
 * or `bytes=-100` (the last 100). Null means "send the whole file": no header, a unit
 * other than bytes, a malformed value or several ranges (which a server may answer in
 * full). 'unsatisfiable' means the range starts past the end (answer 416).
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

export interface DownloadFile {
  path: string;
  /** Offered as the saved file's name. */
  fileName: string;
  /** Content-Type. */
  mime: string;
  bytes: number;
  /** SHA-256 hex of the content, measured at build: the ETag. */
  sha256: string;
}

/**
 * The response for a members' file: always a download (`attachment`), never sniffed,
 * never kept in a shared or the browser's cache, resumable with Range requests.
 * `If-Range` must match the ETag for a range to be honoured, so a download resumed after
 * the file changed starts again instead of splicing two versions.
 */
export function downloadResponse(file: DownloadFile, request: Request): Response {
  const etag = `"${file.sha256}"`;
  const headers = new Headers({
    'Content-Type': file.mime,
    // The name is limited at build to letters, digits, dot, dash and underscore: no quoting issues.
    'Content-Disposition': `attachment; filename="${file.fileName}"`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
    'Accept-Ranges': 'bytes',
    ETag: etag,
  });
  const ifRange = request.headers.get('if-range');
  const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.get('range'), file.bytes);
  if (range === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${file.bytes}`);
    return new Response(null, { status: 416, headers });
  }
  const { start, end } = range ?? { start: 0, end: file.bytes - 1 };
  headers.set('Content-Length', String(end - start + 1));
  if (range) headers.set('Content-Range', `bytes ${start}-${end}/${file.bytes}`);
  const body = request.method === 'HEAD' ? null : (Readable.toWeb(createReadStream(file.path, { start, end })) as ReadableStream<Uint8Array>);
  return new Response(body, { status: range ? 206 : 200, headers });
}
