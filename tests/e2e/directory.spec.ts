import { eq } from 'drizzle-orm';
import { test, expect, createMember, type TestMember } from './fixtures.ts';
import { organisations, users } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { ownProfile, saveProfile, type ProfileInput } from '#lib/directory/profiles.ts';
import { blankProfile } from '#tests/blank-profile.ts';

let people = 0;
/** A member of a demo organisation with a name no other test uses, and a profile. */
async function personAt(db: Database, organisationName: string, profile: Partial<ProfileInput>): Promise<TestMember & { name: string }> {
  const member = await createMember(db);
  const name = `Directory Person ${process.pid}-${++people}-${Date.now().toString(36)}`;
  const org = await db.select().from(organisations).where(eq(organisations.name, organisationName)).get();
  await write(db, (tx) => tx.update(users).set({ displayName: name, organisationId: org!.id }).where(eq(users.id, member.user.id)));
  await saveProfile(db, member.user.id, { ...blankProfile, ...profile });
  return { ...member, name };
}

test('a member finds another by organisation type and area, opens their profile, and the hidden phone number is nowhere in the HTML', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const target = await personAt(db, 'Demo Border Force Northern Region', {
    roleTitle: 'Joint operations lead, Border Force North',
    areas: ['prosecution', 'multi-agency'],
    workPhone: '01632 960 555',
    showWorkPhone: false,
    workEmail: 'joint.ops@borderforce.e2e.test',
    showWorkEmail: true,
    askMeAbout: 'Port operations with police forces',
    showAskMeAbout: true,
  });
  await signIn();

  await page.goto('/members');
  await page.getByRole('link', { name: 'Search the directory' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('People in the network');
  await expectNoAxeViolations(page);

  await page.getByLabel('Type of organisation').selectOption({ label: 'Border Force' });
  await page.getByLabel('Area of practice').selectOption({ label: 'Investigation and prosecution' });
  await page.getByLabel('Name or role').fill(target.name.split(' ').slice(2).join(' '));
  await page.getByRole('button', { name: 'Find people' }).click();
  await expect(page).toHaveURL(/type=border-force/);
  await expect(page.getByText('Showing 1–1 of 1 matching members')).toBeVisible();
  const card = page.locator('.person', { hasText: target.name });
  await expect(card).toContainText('Joint operations lead, Border Force North');
  await expect(card).toContainText('Demo Border Force Northern Region (Border Force)');
  await expect(card).toContainText('North West');
  await expect(card).toContainText('Investigation and prosecution, Multi-agency working');
  expect(await page.content()).not.toContain('960 555');

  await card.getByRole('link', { name: target.name }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(target.name);
  await expect(page.getByText('Port operations with police forces')).toBeVisible();
  await expect(page.getByRole('link', { name: 'joint.ops@borderforce.e2e.test' })).toHaveAttribute('href', 'mailto:joint.ops@borderforce.e2e.test');
  const html = await page.content();
  expect(html).not.toContain('960 555');
  expect(html).not.toContain('01632960555');
  await expect(page.getByRole('link', { name: 'Mention in a new thread' })).toBeVisible();
  await expectNoAxeViolations(page);

  // The organisation's page lists its members in the directory.
  await page.getByRole('link', { name: 'Demo Border Force Northern Region' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demo Border Force Northern Region');
  await expect(page.getByRole('link', { name: target.name })).toBeVisible();
  await expectNoAxeViolations(page);
});

test('a suspended member disappears from the directory and their profile is not found', async ({ page, db, signIn }) => {
  const target = await personAt(db, 'Demo Riverside Housing Association', { roleTitle: 'Housing safeguarding officer' });
  await signIn();
  await page.goto(`/members/people?q=${encodeURIComponent(target.name)}`);
  await expect(page.getByRole('link', { name: target.name })).toBeVisible();

  await write(db, (tx) => tx.update(users).set({ status: 'suspended' }).where(eq(users.id, target.user.id)));
  await page.reload();
  await expect(page.getByText('Nobody matches')).toBeVisible();
  const profile = await page.goto(`/members/people/${target.user.id}`);
  expect(profile?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Person not found');
  await page.goto(`/members/organisations/${target.user.organisationId}`);
  await expect(page.getByRole('link', { name: target.name })).toHaveCount(0);
});

test('a member fills in their profile: a bad link is refused with a message and nothing saved, then it is saved and shown', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const me = await signIn();
  await page.goto('/account');
  await page.getByRole('link', { name: 'Change your profile' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your profile in the directory');
  await expectNoAxeViolations(page);

  await page.getByLabel('Role title').fill('Modern slavery coordinator, Northshire OPCC');
  await page.getByLabel('National Referral Mechanism').check();
  await page.getByLabel('Regional networks').check();
  await page.getByRole('textbox', { name: 'Work phone' }).fill('01632 960 444');
  await page.getByLabel('Link').fill('javascript:alert(document.cookie)');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('alert')).toContainText('There is a problem');
  await expect(page.locator('#field-link-error')).toContainText('https://, mailto: or tel:');
  // What was typed is still there, and nothing was saved.
  await expect(page.getByLabel('Role title')).toHaveValue('Modern slavery coordinator, Northshire OPCC');
  await expect(page.getByLabel('National Referral Mechanism')).toBeChecked();
  expect(await ownProfile(db, me.user.id)).toBeUndefined();
  await expectNoAxeViolations(page);

  // Ticking "show" with no number is refused too.
  await page.getByLabel('Link').fill('https://www.example.org/northshire');
  await page.getByRole('textbox', { name: 'Work phone' }).fill('');
  await page.getByLabel('Show my work phone on my profile').check();
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.locator('#field-workPhone-error')).toContainText('untick');

  await page.getByRole('textbox', { name: 'Work phone' }).fill('01632 960 444');
  await page.getByLabel('Show my work phone on my profile').uncheck();
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status')).toContainText('Your profile has been saved');
  await page.getByRole('status').getByRole('link', { name: 'See it as other members do' }).click();
  await expect(page.getByText('This is your profile as other members see it')).toBeVisible();
  await expect(page.getByText('Modern slavery coordinator, Northshire OPCC')).toBeVisible();
  await expect(page.getByRole('link', { name: 'https://www.example.org/northshire' })).toHaveAttribute('href', 'https://www.example.org/northshire');
  expect(await page.content()).not.toContain('960 444');
});

test('"Mention in a new thread" opens the composer with the mention, in a category both can see', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const target = await personAt(db, 'Demo Freedom Support Charity', { roleTitle: 'Outreach worker' });
  await signIn();
  await page.goto(`/members/people/${target.user.id}`);
  await page.getByRole('link', { name: 'Mention in a new thread' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Mention ${target.name} in a new thread`);
  await expectNoAxeViolations(page);
  // The demo's "PCCs and chiefs" category is closed to a charity: not offered.
  await expect(page.getByRole('radio')).not.toHaveCount(0);
  await expect(page.getByLabel('PCCs and chiefs', { exact: false })).toHaveCount(0);
  await page.getByRole('radio').first().check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(new RegExp(`/forum/[a-z0-9-]+/new\\?mention=${target.user.id}$`));
  await expect(page.getByRole('textbox', { name: 'Your post' })).toHaveValue(`@${target.name} `);
});

test('the directory is for members only, never cached or indexed, and not in the sitemap', async ({ page, signIn, request }) => {
  const anonymous = await request.get('/members/people', { maxRedirects: 0 });
  expect(anonymous.status()).toBe(302);
  expect(anonymous.headers().location).toMatch(/^\/login\?next=/);

  const me = await signIn();
  for (const path of ['/members/people', `/members/people/${me.user.id}`, `/members/organisations/${me.user.organisationId}`]) {
    const response = await page.goto(path);
    expect(response?.headers()['cache-control'], path).toContain('no-store');
    expect(response?.headers()['x-robots-tag'], path).toContain('noindex');
    await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', /noindex/);
  }
  const sitemap = await request.get('/sitemap-0.xml');
  expect(sitemap.ok()).toBe(true);
  expect(await sitemap.text()).not.toContain('/members');
  expect(await (await request.get('/robots.txt')).text()).toContain('Disallow: /members/');
});
