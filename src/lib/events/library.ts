import { getCollection, type CollectionEntry } from 'astro:content';
import { isPublishedPublicly, isPublishedToMembers } from '#lib/content/audience.ts';
import { publishContext } from '#lib/content/library.ts';
import { byDate } from './schedule.ts';

export { nextEvents, upcomingAndPast } from './schedule.ts';

export type EventEntry = CollectionEntry<'events'>;

/** Released public events, soonest first (see `byDate`). */
export async function getPublicEvents(): Promise<EventEntry[]> {
  const ctx = publishContext();
  return (await getCollection('events', (e) => isPublishedPublicly(e.data, ctx))).sort(byDate);
}

/** Released members-only events. Only for signed-in members (and their private calendar feed). */
export async function getMembersEvents(): Promise<EventEntry[]> {
  const ctx = publishContext();
  return (await getCollection('events', (e) => isPublishedToMembers(e.data, ctx))).sort(byDate);
}

/** One released members-only event, or undefined. */
export async function getMembersEvent(id: string | undefined): Promise<EventEntry | undefined> {
  return id ? (await getMembersEvents()).find((e) => e.id === id) : undefined;
}

/** The events a page may name for its reader: members' ones only on members' pages. */
export async function eventsForReader(membersArea: boolean): Promise<EventEntry[]> {
  return membersArea ? [...(await getPublicEvents()), ...(await getMembersEvents())] : getPublicEvents();
}

/** Public events at /events/{id}; members' events only inside the members' area. */
export function eventUrl(e: { id: string; data: { audience: string } }): string {
  return e.data.audience === 'members' ? `/members/events/${e.id}` : `/events/${e.id}`;
}
