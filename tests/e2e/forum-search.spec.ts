import { test, expect } from './fixtures.ts';
import { categories, type OrganisationType } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createThread } from '#lib/forum/posting.ts';
import { createMember } from './fixtures.ts';

/**
 * Forum search in the browser: a member finds a thread by a word of its title, narrows
 * by category, never sees a restricted category's thread, and a query made of search
 * syntax gets a plain message, never an error page.
 */

let count = 0;
/** Letters only, unique per test: a word no other thread in the e2e database contains. */
function uniqueWord(): string {
  const n = `${process.pid}${Date.now()}${++count}`;
  return `kestrel${[...n].map((d) => 'abcdefghij'[Number(d)]).join('')}`;
}

async function category(db: Database, name: string, allowedOrganisationTypes: OrganisationType[] | null = null) {
  const slug = `search-e2e-${process.pid}-${++count}-${Date.now()}`;
  const [row] = await write(db, (tx) => tx.insert(categories).values({ slug, name: `${name} ${count}`, description: 'For the forum search tests.', allowedOrganisationTypes }).returning());
  return row!;
}

async function thread(db: Database, categoryId: number, title: string, body: string, role: 'member' | 'moderator' = 'member') {
  // A new author each time: the posting limit (6 a minute) is not what these tests are about.
  const author = await createMember(db, role, 'Search author');
  const result = await createThread(db, await forumActor(db, author.user.id), { categoryId, title, body });
  if (!result.ok) throw new Error(result.message);
  return result.thread;
}

test('a member finds a thread by a word of its title, narrows by category, and a hostile query gets a friendly message', async ({ page, db, signIn, expectNoAxeViolations }) => {
  await signIn();
  const word = uniqueWord();
  const first = await category(db, 'Search planning');
  const second = await category(db, 'Search training');
  // Fixture members belong to an OPCC: a category for health teams only is closed to them.
  const closed = await category(db, 'Health teams only', ['health']);
  const titled = await thread(db, first.id, `Planning the ${word} exercise`, 'Dates and venues for the regional exercise.');
  const mentioned = await thread(db, second.id, 'Training notes from March', `We also covered the ${word} exercise <script>alert(1)</script> in the afternoon.`);
  // Written by a moderator, who can post anywhere.
  await thread(db, closed.id, `Health only: ${word} clinic slots`, 'Not for everyone.', 'moderator');

  await page.goto('/forum/search');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search the forum');
  await page.getByLabel('Words to find').fill(word);
  await page.getByRole('main').getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/forum/search\\?q=${word}`));
  await expect(page.getByRole('main').getByRole('status')).toHaveText(`2 threads match ${word}.`);
  const results = page.locator('.forum-results > li');
  await expect(results).toHaveCount(2);
  // The title match ranks first; the match is marked; the post's markup shows as text.
  await expect(results.nth(0).getByRole('link')).toHaveText(`Planning the ${word} exercise`);
  await expect(results.nth(0).getByRole('link')).toHaveAttribute('href', `/forum/t/${titled.id}/${titled.slug}#post-1`);
  await expect(results.nth(0).locator('mark').first()).toHaveText(word);
  await expect(results.nth(1)).toContainText('<script>alert(1)</script>');
  await expect(results.nth(1).locator('script')).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText('clinic slots');
  await expectNoAxeViolations(page);

  // Narrow to one category.
  await page.getByText('Filters: category, author, dates').click();
  await page.getByLabel('Category').selectOption({ label: second.name });
  await expect(page.getByLabel('Category').locator('option', { hasText: closed.name })).toHaveCount(0);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('main').getByRole('status')).toHaveText(`1 thread matches ${word}.`);
  await expect(results).toHaveCount(1);
  await expect(results.first().getByRole('link')).toHaveAttribute('href', `/forum/t/${mentioned.id}/${mentioned.slug}#post-1`);

  // Search syntax on its own: a plain message, status 200, no error page.
  await page.goto('/forum/search');
  await page.getByLabel('Words to find').fill('"*^( ) : -- ++ ""');
  await page.getByRole('main').getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('main').getByRole('status')).toContainText('There is nothing to search for');
  await expectNoAxeViolations(page);
  for (const q of ['NEAR(', '"unbalanced', 'AND OR NOT', 'title:x', `${word}*`, '🙂', 'x'.repeat(10_000)]) {
    const response = await page.goto(`/forum/search?q=${encodeURIComponent(q)}`);
    expect(response!.status(), q.slice(0, 20)).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search the forum');
  }
  await expect(page.getByText('Your search was long, so only its first words were used')).toBeVisible();
});

test('a bad filter is left out with a message, and the search still runs', async ({ page, db, signIn }) => {
  await signIn();
  const word = uniqueWord();
  const open = await category(db, 'Search filters');
  await thread(db, open.id, `Filters and the ${word} question`, 'Some words.');
  const response = await page.goto(`/forum/search?q=${word}&from=2026-02-30&category=no-such-category`);
  expect(response!.status()).toBe(400);
  await expect(page.getByRole('alert')).toContainText('Enter a real date, like 2026-03-31');
  await expect(page.getByRole('alert')).toContainText('Choose a category from the list');
  await expect(page.getByRole('main').getByRole('status')).toHaveText(`1 thread matches ${word}.`);
});

test('the members’ search offers to search the forum for the same words', async ({ page, signIn }) => {
  await signIn();
  await page.goto('/members/search?q=referral');
  const link = page.getByRole('link', { name: 'Search the forum for “referral”' });
  await expect(link).toHaveAttribute('href', '/forum/search?q=referral');
  // The link follows the box as the member types.
  await page.getByLabel('Search members-only and public guides, awareness pages, news and resources').fill('safe house');
  await expect(page.getByRole('link', { name: 'Search the forum for “safe house”' })).toHaveAttribute('href', '/forum/search?q=safe%20house');
  await page.getByRole('link', { name: 'Search the forum for “safe house”' }).click();
  await expect(page).toHaveURL(/\/forum\/search\?q=safe%20house$/);
  await expect(page.getByLabel('Words to find')).toHaveValue('safe house');
});
