import { test, expect } from './fixtures.ts';
import { fixtures } from './test-content.ts';

const { awarenessPage, strategy, publicStrategy } = fixtures;

test('a reader filters the awareness listing to one audience’s strategies and reads one at a glance', async ({ page, expectNoAxeViolations }) => {
  await page.goto('/awareness');
  const filter = page.getByRole('navigation', { name: 'Filter awareness pages' });
  await expect(filter.getByRole('link', { name: 'All awareness pages' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('link', { name: awarenessPage.title })).toBeVisible();

  await filter.getByRole('link', { name: 'Strategies for: businesses at risk' }).click();
  await expect(page).toHaveURL(/\/awareness\/strategies\/businesses$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Awareness strategies: businesses at risk');
  await expect(page.getByRole('navigation', { name: 'Filter awareness pages' }).getByRole('link', { name: 'Strategies for: businesses at risk' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('link', { name: strategy.title })).toBeVisible();
  // A page that is not a strategy, and strategies for other audiences, are filtered out.
  await expect(page.getByRole('link', { name: awarenessPage.title })).toHaveCount(0);
  await expect(page.getByRole('link', { name: publicStrategy.title })).toHaveCount(0);
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name: strategy.title }).click();
  const glance = page.getByRole('region', { name: 'This strategy at a glance' });
  await expect(glance).toContainText('Businesses at risk');
  await expect(glance.getByRole('list', { name: 'Objectives' }).getByRole('listitem')).toHaveText(['Turnstone businesses know the fixture signs.']);
  await expect(glance.getByRole('list', { name: 'How to measure what changed' }).getByRole('listitem')).toHaveText(['Count of turnstone leaflets handed out.']);
  await expect(page.locator('.entry__meta')).toContainText('Next review due');
});

test('every strategy is listed under all strategies, and an unknown audience is not found', async ({ page, request }) => {
  await page.goto('/awareness/strategies');
  await expect(page.getByRole('link', { name: strategy.title })).toBeVisible();
  await expect(page.getByRole('link', { name: publicStrategy.title })).toBeVisible();
  await expect(page.getByRole('link', { name: awarenessPage.title })).toHaveCount(0);
  expect((await request.get('/awareness/strategies/everyone')).status()).toBe(404);
});

test('an awareness page past its review date says it may be out of date', async ({ page }) => {
  await page.goto(awarenessPage.url);
  await expect(page.getByRole('note')).toContainText('This page may be out of date');
  await page.goto(strategy.url);
  await expect(page.getByText('This page may be out of date')).toHaveCount(0);
});
