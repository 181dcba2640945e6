import type { APIRoute, GetStaticPaths } from 'astro';
import { readFile } from 'node:fs/promises';
import { getPublicResources } from '#lib/resources/library.ts';
import { resourceSourcePath } from '#lib/resources/source.ts';

/**
 * Public files are static files: the build copies each public resource's file to
 * dist/client/resources/<id>/<file name>, served like any asset. Only public, released
 * resources are listed here, so a members' file can never be written there.
 */
export const getStaticPaths = (async () => {
  const resources = await getPublicResources();
  return resources.map((resource) => ({ params: { slug: resource.id, file: resource.data.fileName }, props: { path: resourceSourcePath(resource) } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ props }) => new Response(await readFile((props as { path: string }).path));
