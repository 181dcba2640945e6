import { makeGenericAPIRouteHandler } from '@keystatic/core/api/generic';
import { z } from 'zod';
import type { Member } from '#lib/auth/guards.ts';
import { audit } from '#lib/auth/audit.ts';
import { hasRole } from '#lib/auth/roles.ts';
import { imageProblem } from '#lib/content/images.ts';
import { formatOfFileName, formatSize, MAX_RESOURCE_BYTES, resourceFormats, SIGNATURE_BYTES } from '#lib/resources/formats.ts';
import type { Database } from '#lib/db.ts';
import { formatDateTime } from '#lib/time.ts';
import { blobSha, findConflicts, recordEdits, recordSeenTree, type Conflict } from './conflicts.ts';
import { keepVersions } from './kept-versions.ts';
import { withContentLock } from './content-lock.ts';
import keystaticConfig from './keystatic-config.ts';
import { editablePath } from './paths.ts';

/**
 * The browser editor's API (/api/keystatic/*) behind our own checks. Keystatic's local
 * handler reads and writes files, but has no sign-in, a weak cross-site guard (a
 * `no-cors: 1` header) and no idea of conflicting saves. Before it sees a request this
 * module refuses, in this order: other sites (Origin / Sec-Fetch-Site), visitors (401)
 * and members who are not editors (403, audited), anything but the three calls the
 * editor makes, paths outside entries, images and resources' files (traversal, symbolic
 * links…), images that are not raster images or are too large, resource files of a
 * format the library does not accept, not what their name says or over 25 MB, and saves over a change someone else
 * made after this editor loaded the entry (409; the refused text is kept). Every answer
 * is private and never stored by a cache.
 */

// A 25 MB resource file in base64 (a third more), and the entry's text.
const MAX_UPDATE_BYTES = Math.ceil((MAX_RESOURCE_BYTES * 4) / 3) + 2 * 1024 * 1024;
const MAX_ENTRY_BYTES = 1024 * 1024;

const updateSchema = z.object({
  additions: z.array(z.object({ path: z.string(), contents: z.string() })).max(50),
  deletions: z.array(z.object({ path: z.string() })).max(50),
});

export interface KeystaticApiRequest {
  request: Request;
  /** The path after /api/keystatic/, decoded, e.g. ["blob", "<sha>", "guides", "x.mdx"]. */
  params: string[];
  member: Member | null;
  ip: string | null;
  db: Database;
  contentDir: string;
}

const text = (status: number, body: string) =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' } });

/** A file's contents as the editor sends them: base64 (its save uses `btoa`, with + and /), or the URL-safe form. */
function base64Decode(value: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return null;
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** A browser request from our own pages: same origin, or no cross-site marker at all (not a browser). */
function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  const own = new URL(request.url).origin;
  if (origin !== null && origin !== own) return false;
  if (site !== null && site !== 'same-origin') return false;
  // A write must say where it comes from: browsers send Origin on every POST.
  return request.method === 'GET' || origin !== null;
}

export async function handleKeystaticApi(req: KeystaticApiRequest): Promise<Response> {
  const { request, params, member, db, ip, contentDir } = req;
  if (!isSameOrigin(request)) return text(403, 'Cross-site requests are refused.');
  if (!member) return text(401, 'Sign in as an editor to use the editor.');
  if (!hasRole(member.user.role, 'editor')) {
    await audit(db, { actorId: member.user.id, action: 'editor-access', outcome: 'refused', targetType: 'keystatic-api', targetId: params.join('/').slice(0, 200), ip });
    return text(403, 'Only editors can change the library.');
  }

  const call = params[0];
  if (request.method === 'GET' && call === 'tree' && params.length === 1) return forward(req, null);
  if (request.method === 'GET' && call === 'blob' && params.length >= 3) {
    const path = editablePath(contentDir, params.slice(2).join('/'));
    if (!path.ok) return text(400, `Refused: ${path.reason}.`);
    return forward(req, null);
  }
  if (request.method === 'POST' && call === 'update' && params.length === 1) return update(req);
  return text(404, 'Not found.');
}

async function update(req: KeystaticApiRequest): Promise<Response> {
  const { request, member, db, ip, contentDir } = req;
  if (request.headers.get('content-type') !== 'application/json') return text(415, 'Send the change as JSON.');
  if (Number(request.headers.get('content-length') ?? 0) > MAX_UPDATE_BYTES) return text(413, 'That change is too large.');
  const raw = await request.text();
  if (raw.length > MAX_UPDATE_BYTES) return text(413, 'That change is too large.');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return text(400, 'The change was not valid JSON.');
  }
  const parsed = updateSchema.safeParse(json);
  if (!parsed.success) return text(400, 'The change was not in the form the editor sends.');

  const additions: { path: string; bytes: Uint8Array }[] = [];
  for (const addition of parsed.data.additions) {
    const path = editablePath(contentDir, addition.path);
    if (!path.ok) return refuseSave(req, `Refused: ${path.reason}.`);
    const bytes = base64Decode(addition.contents);
    if (!bytes) return text(400, 'The change was not in the form the editor sends.');
    if (path.kind === 'image') {
      const problem = imageProblem(addition.path.split('/').pop()!, bytes.byteLength, bytes.subarray(0, 16));
      if (problem) return refuseSave(req, `Not saved: ${problem}.`);
    } else if (path.kind === 'resource-file') {
      const problem = resourceUploadProblem(addition.path, bytes);
      if (problem) return refuseSave(req, `Not saved: ${problem}.`);
    } else if (bytes.byteLength > MAX_ENTRY_BYTES) {
      return refuseSave(req, 'Not saved: an entry may be at most 1 MB of text.');
    }
    additions.push({ path: addition.path, bytes });
  }
  const deletions: string[] = [];
  for (const deletion of parsed.data.deletions) {
    const path = editablePath(contentDir, deletion.path);
    if (!path.ok) return refuseSave(req, `Refused: ${path.reason}.`);
    deletions.push(deletion.path);
  }

  return withContentLock(async () => {
    const conflicts = await findConflicts(db, contentDir, member!.session.id, [...additions.map((a) => a.path), ...deletions]);
    if (conflicts.length) {
      const kept = await keepVersions(db, { userId: member!.user.id, reason: 'conflict', files: additions });
      await audit(db, { actorId: member!.user.id, action: 'content-save', outcome: 'refused', ip, detail: { reason: 'conflict', paths: conflicts.map((c) => c.path), kept } });
      return text(409, conflictMessage(conflicts));
    }
    const response = await forward(req, raw);
    if (response.status === 200) {
      await recordEdits(db, member!.user.id, additions.map((a) => ({ path: a.path, sha: blobSha(a.bytes) })), deletions);
      await audit(db, { actorId: member!.user.id, action: 'content-save', outcome: 'success', ip, detail: { changed: additions.map((a) => a.path), deleted: deletions } });
    }
    return response;
  });
}

/** Why an uploaded resource file cannot be kept, or null: the build's own rules (format, signature, 25 MB). */
function resourceUploadProblem(path: string, bytes: Uint8Array): string | null {
  const format = formatOfFileName(path)!;
  const { label } = resourceFormats[format];
  if (bytes.byteLength === 0) return 'the file is empty';
  if (bytes.byteLength > MAX_RESOURCE_BYTES) return `the file is ${formatSize(bytes.byteLength)}; files may be at most ${formatSize(MAX_RESOURCE_BYTES)}`;
  if (!resourceFormats[format].matches(bytes.subarray(0, SIGNATURE_BYTES))) return `the file is not a ${label} file, whatever its name says; export it again as ${label}`;
  return null;
}

async function refuseSave(req: KeystaticApiRequest, message: string): Promise<Response> {
  await audit(req.db, { actorId: req.member!.user.id, action: 'content-save', outcome: 'refused', ip: req.ip, detail: { reason: message.slice(0, 300) } });
  return text(400, message);
}

/** Hands the request to Keystatic's own local-mode handler, rooted at the content folder. */
async function forward(req: KeystaticApiRequest, body: string | null): Promise<Response> {
  const handler = makeGenericAPIRouteHandler({ config: keystaticConfig, localBaseDirectory: req.contentDir });
  const forwarded = body === null ? req.request : new Request(req.request.url, { method: 'POST', headers: req.request.headers, body });
  const result = await handler(forwarded);
  const headers = new Headers(result.headers as HeadersInit | undefined);
  headers.set('Cache-Control', 'private, no-store');
  headers.set('X-Content-Type-Options', 'nosniff');
  if (!headers.has('content-type')) headers.set('Content-Type', 'application/octet-stream');
  const responseBody = typeof result.body === 'string' ? result.body : result.body ? new Uint8Array(result.body) : null;
  if (result.status === 200 && headers.get('content-type') === 'application/json' && typeof responseBody === 'string' && req.member) {
    // The tree this editor now has: what a later save of theirs is compared with.
    await recordSeenTree(req.db, req.member.session.id, JSON.parse(responseBody));
  }
  return new Response(responseBody, { status: result.status, headers });
}

function conflictMessage(conflicts: Conflict[]): string {
  const c = conflicts[0]!;
  const who = c.changedBy ?? 'someone else (or a change made on the server)';
  const when = c.changedAt ? ` (${formatDateTime(c.changedAt)})` : '';
  return `Not saved: ${who} changed ${c.path}${when}, after you opened it. Your version is kept on the editors' dashboard (/editor, "Kept versions"), so nothing is lost. Reload this page to see their change, then make yours again.`;
}
