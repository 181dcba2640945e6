/**
 * Where an entry is read: public entries at /{collection}/{id}, members' entries only
 * inside the members' area at /members/{collection}/{id} (rendered on demand, behind sign-in).
 */
export function entryUrl(entry: { collection: string; id: string; data?: { audience: string } }): string {
  const path = `/${entry.collection}/${entry.id}`;
  return entry.data?.audience === 'members' ? `/members${path}` : path;
}
