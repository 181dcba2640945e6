import { getCollection, type CollectionEntry } from 'astro:content';
import { isPublishedPublicly, isPublishedToMembers } from '#lib/content/audience.ts';
import { publishContext } from '#lib/content/library.ts';

export type ResourceEntry = CollectionEntry<'resources'>;

/** The day a resource last changed: `updated`, else `published`. Lists show the newest first. */
export const resourceDate = (r: ResourceEntry): Date => r.data.updated ?? r.data.published;
const newestFirst = (a: ResourceEntry, b: ResourceEntry) => resourceDate(b).getTime() - resourceDate(a).getTime();

/** Released public resources: what the public site builds, lists, indexes and serves as static files. */
export async function getPublicResources(): Promise<ResourceEntry[]> {
  const ctx = publishContext();
  return (await getCollection('resources', (r) => isPublishedPublicly(r.data, ctx))).sort(newestFirst);
}

/** Released members-only resources. Only for signed-in members; read per request, so one dated today appears today. */
export async function getMembersResources(): Promise<ResourceEntry[]> {
  const ctx = publishContext();
  return (await getCollection('resources', (r) => isPublishedToMembers(r.data, ctx))).sort(newestFirst);
}

/** One released members-only resource, or undefined (unknown, public, draft or not yet published). */
export async function getMembersResource(id: string | undefined): Promise<ResourceEntry | undefined> {
  return id ? (await getMembersResources()).find((r) => r.id === id) : undefined;
}

/** The resources a page may name for its reader: members' ones only on members' pages. */
export async function resourcesForReader(membersArea: boolean): Promise<ResourceEntry[]> {
  return membersArea ? [...(await getPublicResources()), ...(await getMembersResources())] : getPublicResources();
}

/** The resource's page: public ones at /resources/{id}, members' ones only inside the members' area. */
export function resourceUrl(r: { id: string; data: { audience: string } }): string {
  return r.data.audience === 'members' ? `/members/resources/${r.id}` : `/resources/${r.id}`;
}

/**
 * Where the file is downloaded: beside the page. Public files are static files in
 * dist/client; members' files go through the authenticated route and are never there.
 */
export function resourceFileUrl(r: { id: string; data: { audience: string; fileName: string } }): string {
  return `${resourceUrl(r)}/${r.data.fileName}`;
}

/**
 * The resources a reader of one audience may see named, among `ids` (e.g. a guide's
 * `resources`), in the order given. A public page never names a members' resource.
 */
export function resourcesByIds(ids: readonly string[], visible: readonly ResourceEntry[]): ResourceEntry[] {
  const byId = new Map(visible.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
