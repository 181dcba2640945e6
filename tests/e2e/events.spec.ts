import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { request as playwrightRequest } from '@playwright/test';
import type { Page } from '@playwright/test';
import { test, expect, type TestMember } from './fixtures.ts';
import { fixtures, membersOnlyCount } from './test-content.ts';
import { cliActor } from '#lib/admin/common.ts';
import { suspendMember } from '#lib/admin/members.ts';

interface ParsedEvent {
  uid: string;
  summary: string;
  allDay: boolean;
  /** UK wall-clock time ("2017-10-30T15:00") or the day for all-day events. */
  start: string;
  end: string;
  /** The instant in UTC, for timed events. */
  startUtc: string | null;
  location: string | null;
  description: string | null;
}

/** Reads a calendar file back with ical.js (not our writer), and puts times into UK time with Temporal. */
function parseCalendar(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const uk = (t: ICAL.Time) =>
      t.isDate ? t.toString() : Temporal.Instant.fromEpochMilliseconds(t.toJSDate().getTime()).toZonedDateTimeISO('Europe/London').toPlainDateTime().toString({ smallestUnit: 'minute' });
    return {
      uid: event.uid,
      summary: event.summary,
      allDay: event.startDate.isDate,
      start: uk(event.startDate),
      end: uk(event.endDate),
      startUtc: event.startDate.isDate ? null : event.startDate.toJSDate().toISOString(),
      location: (vevent.getFirstPropertyValue('location') as string | null) ?? null,
      description: (vevent.getFirstPropertyValue('description') as string | null) ?? null,
    };
  });
}

/** One fact of an event page ("When", "Where"…), as its description reads. */
const fact = (page: Page, term: string) => page.locator('.event__facts > div', { has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) }).locator('dd');

const { summerTimeEvent, wintertimeEvent, undatedEvent, membersEvent, workshopReport } = fixtures;
const uid = (e: ParsedEvent) => e.uid.split('@')[0];

test('a visitor sees upcoming events first, then past ones, with dates in words', async ({ page, expectNoAxeViolations }) => {
  test.slow(); // two pages with axe on each, on a shared machine
  await page.goto('/events');
  await expectNoAxeViolations(page);
  const upcoming = await page.getByRole('region', { name: 'Upcoming events' }).getByRole('heading', { level: 3 }).allTextContents();
  const past = await page.getByRole('region', { name: 'Past events' }).getByRole('heading', { level: 3 }).allTextContents();
  // Past events: most recent first. A future event with no date says so, after the dated ones.
  expect(past.indexOf(wintertimeEvent.title)).toBeGreaterThanOrEqual(0);
  expect(past.indexOf(wintertimeEvent.title)).toBeLessThan(past.indexOf(summerTimeEvent.title));
  expect(upcoming.at(-1)).toBe(undatedEvent.title);
  await expect(page.getByRole('region', { name: 'Upcoming events' }).locator('li', { hasText: undatedEvent.title })).toContainText('Date to be confirmed');
  // Members-only events are counted, never named.
  await expect(page.getByText(`Members can also see ${membersOnlyCount('events')} members-only event`)).toBeVisible();
  await expect(page.getByRole('main')).not.toContainText(membersEvent.title);

  await page.getByRole('link', { name: wintertimeEvent.title }).click();
  await expect(fact(page, 'When')).toHaveText('Monday 31 October 2016, 10:00 to 11:30 (UK time)');
  await expect(fact(page, 'Where')).toHaveText('Online');
  await expect(fact(page, 'Taking part').getByRole('link', { name: 'Book a place on the organiser’s website' })).toHaveAttribute('href', 'https://example.org/book/petrel');
  await expectNoAxeViolations(page);
});

test('an event’s calendar file has the right UK times on both sides of a clock change', async ({ page }) => {
  // The clocks went back at 02:00 on Sunday 30 October 2016: the Saturday is BST (UTC+1), the Monday GMT.
  await page.goto(summerTimeEvent.url);
  await expect(fact(page, 'When')).toHaveText('Saturday 29 October 2016, 10:00 to 16:00 (UK time)');
  await expect(fact(page, 'Taking part')).toHaveText('By invitation');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Add to your calendar (.ics file)' }).click()]);
  expect(download.suggestedFilename()).toBe('fixture-autumn-workshop.ics');
  const [bst] = parseCalendar(readFileSync(await download.path(), 'utf8'));
  expect(bst).toMatchObject({ summary: summerTimeEvent.title, allDay: false, start: '2016-10-29T10:00', end: '2016-10-29T16:00', startUtc: '2016-10-29T09:00:00.000Z', location: 'Fixture Hall, Leeds' });

  const response = await page.request.get(`${wintertimeEvent.url}.ics`);
  expect(response.headers()['content-type']).toMatch(/^text\/calendar/);
  const [gmt] = parseCalendar(await response.text());
  expect(gmt).toMatchObject({ allDay: false, start: '2016-10-31T10:00', end: '2016-10-31T11:30', startUtc: '2016-10-31T10:00:00.000Z', location: 'Online' });
});

test('the public calendar feed holds dated public events only', async ({ page }) => {
  const response = await page.request.get('/events.ics');
  expect(response.status()).toBe(200);
  const events = parseCalendar(await response.text());
  const ids = events.map(uid);
  expect(ids).toEqual(expect.arrayContaining(['fixture-autumn-workshop', 'fixture-winter-briefing', 'fixture-one-day-seminar']));
  expect(ids).not.toContain('fixture-undated-meeting');
  expect(ids).not.toContain(membersEvent.slug);
  // All-day events are whole days, with the exclusive end the standard uses.
  expect(events.find((e) => uid(e) === 'fixture-one-day-seminar')).toMatchObject({ allDay: true, start: '2016-03-10', end: '2016-03-11' });
});

test('a report names its event, and the event lists the report', async ({ page }) => {
  await page.goto(workshopReport.url);
  await expect(page.locator('.event-link')).toHaveText(`This report is about the event ${summerTimeEvent.title}, Saturday 29 October 2016, 10:00 to 16:00.`);
  await page.goto(summerTimeEvent.url);
  await expect(page.getByRole('complementary', { name: 'Report of this event' }).getByRole('link', { name: workshopReport.title })).toBeVisible();
});

test('the home page shows the next two public events', async ({ page }) => {
  await page.goto('/events');
  const upcoming = page.getByRole('region', { name: 'Upcoming events' }).locator('li');
  // The next events going ahead: dated, and not cancelled or postponed.
  const dated = await upcoming.filter({ hasNotText: 'Date to be confirmed' }).filter({ hasNotText: /Cancelled|Postponed/ }).getByRole('heading', { level: 3 }).allTextContents();
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'Coming up' }).getByRole('heading', { level: 3 })).toHaveText(dated.slice(0, 2));
});

test('a member’s private calendar feed works with its token and stops when it is revoked or they are suspended', async ({ page, signIn, db, baseURL, expectNoAxeViolations }) => {
  test.slow(); // one journey through several forms on a shared machine
  const member: TestMember = await signIn();
  await page.goto('/members/events');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Members’ events');
  await expect(page.getByRole('region', { name: 'Past members’ events' })).toContainText(membersEvent.title);
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Make my calendar address' }).click();
  const address = page.getByLabel('Address', { exact: true });
  const first = await address.inputValue();
  expect(first).toMatch(/\/members\/calendar\/[a-z2-7]{52}\.ics$/);
  await expectNoAxeViolations(page);

  // A calendar app: no cookie, just the address.
  const app = await playwrightRequest.newContext();
  const feed = (url: string) => app.get(new URL(new URL(url).pathname, baseURL).href);
  const fetched = await feed(first);
  expect(fetched.status()).toBe(200);
  expect(fetched.headers()['content-type']).toMatch(/^text\/calendar/);
  expect(fetched.headers()['cache-control']).toBe('private, no-store');
  const events = parseCalendar(await fetched.text());
  expect(events.map(uid)).toContain(membersEvent.slug);
  expect(events.map(uid)).not.toContain('fixture-autumn-workshop');
  // Titles and times only.
  expect(events.find((e) => uid(e) === membersEvent.slug)).toMatchObject({ summary: membersEvent.title, allDay: true, start: '2016-11-02', end: '2016-11-04', location: null, description: null });

  // An altered token reveals nothing.
  const token = new URL(first).pathname.split('/').pop()!.replace('.ics', '');
  const altered = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
  for (const path of [`/members/calendar/${altered}.ics`, '/members/calendar/short.ics', `/members/calendar/${token.toUpperCase()}.ics`]) {
    const response = await app.get(path);
    expect(response.status(), path).toBe(404);
    expect(await response.text()).toBe('Not found');
  }

  // A new address replaces the old one.
  await page.getByRole('button', { name: 'Make a new address' }).click();
  const second = await address.inputValue();
  expect(second).not.toBe(first);
  expect((await feed(first)).status()).toBe(404);
  expect((await feed(second)).status()).toBe(200);

  // Stopping it stops it.
  await page.getByRole('button', { name: 'Stop my calendar address' }).click();
  await expect(page.getByRole('status')).toContainText('Your calendar address has been stopped.');
  expect((await feed(second)).status()).toBe(404);

  // Suspension revokes it too.
  await page.getByRole('button', { name: 'Make my calendar address' }).click();
  const third = await address.inputValue();
  expect((await feed(third)).status()).toBe(200);
  expect((await suspendMember(db, cliActor, { userId: member.user.id })).ok).toBe(true);
  expect((await feed(third)).status()).toBe(404);
  await app.dispose();
});

test('a members’ event page and its calendar file are for members only', async ({ page, signIn, expectNoAxeViolations }) => {
  const anonymous = await page.request.get(membersEvent.url, { maxRedirects: 0 });
  expect(anonymous.headers().location).toMatch(/^\/login\?next=/);
  expect((await page.request.get(`/events/${membersEvent.slug}`)).status()).toBe(404);

  await signIn();
  await page.goto(membersEvent.url);
  await expect(fact(page, 'When')).toHaveText('Wednesday 2 November 2016 to Thursday 3 November 2016');
  await expectNoAxeViolations(page);
  const ics = await page.request.get(`${membersEvent.url}.ics`);
  expect(ics.headers()['content-disposition']).toBe(`attachment; filename="${membersEvent.slug}.ics"`);
  expect(parseCalendar(await ics.text())[0]).toMatchObject({ start: '2016-11-02', end: '2016-11-04' });
});
