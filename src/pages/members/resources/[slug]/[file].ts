import type { APIRoute } from 'astro';
import { existsSync } from 'node:fs';
import { getDb } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import { requireMember } from '#lib/auth/guards.ts';
import { downloadResponse, membersFilePath, membersFilesDir } from '#lib/resources/download.ts';
import { resourceFormats } from '#lib/resources/formats.ts';
import { getMembersResource, getPublicResources, resourceFileUrl } from '#lib/resources/library.ts';

export const prerender = false;

const notFound = () => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/**
 * A members-only file, for signed-in members only. The build copied it to
 * dist/private/resources (never dist/client), so this route is the only way to it.
 * Every download that sends bytes is audited: who, which resource and file, and the
 * byte range for a resumed download; never the content.
 */
export const GET: APIRoute = async (context) => {
  // Sign-in first, so an anonymous visitor learns nothing about which files exist.
  const member = requireMember(context);
  if (member instanceof Response) return member;

  const { slug, file } = context.params;
  const resource = await getMembersResource(slug);
  if (!resource) {
    const publicResource = (await getPublicResources()).find((r) => r.id === slug && r.data.fileName === file);
    return publicResource ? context.redirect(resourceFileUrl(publicResource), 302) : notFound();
  }
  if (file !== resource.data.fileName) return notFound();

  const path = membersFilePath(membersFilesDir(), resource.id, resource.data.fileName);
  // A build that did not copy the file is a deployment fault: fail loudly in the server log.
  if (!existsSync(path)) throw new Error(`The members' file for resource "${resource.id}" is missing at ${path}; rebuild, or set MEMBERS_FILES_DIR`);

  const { data } = resource;
  const response = downloadResponse({ path, fileName: data.fileName, mime: resourceFormats[data.format].mime, bytes: data.bytes, sha256: data.sha256 }, context.request);
  if (context.request.method === 'GET' && (response.status === 200 || response.status === 206)) {
    const range = response.headers.get('Content-Range');
    await audit(await getDb(), {
      actorId: member.user.id,
      action: 'resource-download',
      outcome: 'success',
      targetType: 'resource',
      targetId: resource.id,
      ip: context.clientAddress,
      detail: { file: data.fileName, ...(range ? { range } : {}) },
    });
  }
  return response;
};
