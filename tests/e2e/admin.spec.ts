import { and, desc, eq } from 'drizzle-orm';
import { auditLog } from '#db/schema.ts';
import { audit } from '#lib/auth/audit.ts';
import { findOpenInvitation } from '#lib/auth/invitations.ts';
import { findOpenReset } from '#lib/auth/password-resets.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';
import { test, expect, createMember, linkIn, sessionCookie, waitForMail } from './fixtures.ts';

const unique = () => `${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

test('an administrator reaches every admin page from /admin, each accessible', async ({ page, signIn, expectNoAxeViolations }) => {
  await signIn('admin');
  await page.goto('/admin');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Administration');
  await expectNoAxeViolations(page);
  for (const [link, heading] of [['Members', 'Members'], ['Organisations', 'Organisations'], ['Outbox', 'Outbox'], ['Audit log', 'Audit log']]) {
    await page.goto('/admin');
    await page.getByRole('main').getByRole('heading', { name: link }).getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: link })).toHaveAttribute('aria-current', 'page');
    await expectNoAxeViolations(page);
  }
});

test('an administrator invites someone by email and sees its delivery, never the link, then resends and revokes it', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const admin = await signIn('admin');
  const email = `invitee-${unique()}@example.org`;
  await page.goto('/admin/members');

  // Bad input: a message next to each field, what was typed kept, nothing created.
  await page.getByLabel('Email address').fill('not an email');
  await page.getByRole('button', { name: 'Email the invitation' }).click();
  await expect(page.getByRole('alert')).toContainText('Email address: Enter an email address');
  await expect(page.locator('#field-email-error')).toContainText('Enter an email address, like name@example.org');
  await expect(page.locator('#field-organisationId-error')).toContainText('Choose an organisation');
  await expect(page.getByLabel('Email address')).toHaveValue('not an email');
  await expectNoAxeViolations(page);

  await page.getByLabel('Email address').fill(email);
  await page.locator('#field-role').selectOption({ label: 'Editor' });
  await page.locator('#field-organisationId').selectOption({ label: 'Demo Northshire Police' });
  await page.getByRole('button', { name: 'Email the invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation emailed to ${email}`);
  await expectNoAxeViolations(page);
  const mail = await waitForMail(email);
  const token = linkIn(mail, 'Accept the invitation').pathname.split('/').pop()!;
  expect(await findOpenInvitation(db, token)).toMatchObject({ email, role: 'editor', invitedBy: admin.user.id });
  // The administrator never sees the link; the list shows that the email was sent.
  await expect(page.getByRole('main')).not.toContainText(token);
  await expect(async () => {
    await page.goto('/admin/members');
    await expect(page.getByRole('row').filter({ hasText: email }).locator('[data-invitation-mail]')).toContainText(/^Sent \d{4}-/, { timeout: 1_000 });
  }).toPass();
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Editor');
  await expect(page.getByRole('main')).not.toContainText(token);

  await row.getByRole('button', { name: `Resend invitation to ${email}` }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation emailed to ${email}`);
  const resent = await waitForMail(email, (m) => !m.text.includes(token));
  const newToken = linkIn(resent, 'Accept the invitation').pathname.split('/').pop()!;
  expect(newToken).not.toBe(token);
  expect(await findOpenInvitation(db, token)).toBeNull();
  expect(await findOpenInvitation(db, newToken)).not.toBeNull();

  await page.getByRole('row').filter({ hasText: email }).getByRole('button', { name: `Revoke invitation to ${email}` }).click();
  await expect(page.getByRole('status')).toContainText(`The invitation for ${email} is revoked`);
  await expect(page.getByRole('row').filter({ hasText: email })).toHaveCount(0);
  expect(await findOpenInvitation(db, newToken)).toBeNull();

  // The audit page shows what happened, filtered by this administrator.
  await page.goto('/admin/audit');
  await page.getByLabel('Actor\'s email contains').fill(admin.user.email);
  await page.getByRole('button', { name: 'Filter' }).click();
  const audit = page.getByRole('region', { name: 'Table of audit entries' });
  await expect(audit.getByRole('row').filter({ hasText: 'invitation-create' })).toHaveCount(2);
  await expect(audit.getByRole('row').filter({ hasText: 'invitation-resend' })).toHaveCount(1);
  await expect(audit.getByRole('row').filter({ hasText: 'invitation-revoke' })).toContainText(email);
  await expect(audit.getByRole('row').nth(1)).toContainText('invitation-revoke'); // newest first
  await expect(audit).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  await expectNoAxeViolations(page);
});

test('an administrator filters the list of members', async ({ page, db, signIn, expectNoAxeViolations }) => {
  await signIn('admin');
  const name = `Filterable ${unique()}`;
  const editor = await createMember(db, 'editor', name);
  const member = await createMember(db, 'member', name);
  await page.goto('/admin/members');
  await page.getByLabel('Name or email contains').fill(name);
  await page.getByRole('button', { name: 'Filter' }).click();
  const table = page.getByRole('region', { name: 'Table of members' });
  await expect(table.getByRole('row')).toHaveCount(3);

  await page.locator('#filter-role').selectOption({ label: 'Editor' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/role=editor/);
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText(editor.user.email);
  await expect(table).not.toContainText(member.user.email);
  await expect(page.getByLabel('Name or email contains')).toHaveValue(name);
  await expectNoAxeViolations(page);

  await page.locator('#filter-status').selectOption({ label: 'Suspended' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('main')).toContainText('No matching members.');

  // A bad value in the address is named next to its field; the other filters still apply.
  await page.goto(`/admin/members?q=${encodeURIComponent(name)}&role=overlord`);
  await expect(page.locator('#filter-role-error')).toContainText('Choose a role from the list');
  await expect(table.getByRole('row')).toHaveCount(3);
});

test('an administrator suspends a member, whose session then gets nothing', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const admin = await signIn('admin');
  const target = await createMember(db, 'member', 'Suspendable');
  const { token } = await createSession(db, target.user.id, { mfaVerified: true });
  expect((await validateSessionToken(db, token)).user?.id).toBe(target.user.id);

  await page.goto('/admin/members');
  await page.getByLabel('Name or email contains').fill(target.user.email);
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('link', { name: target.user.displayName }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(target.user.displayName);
  await expect(page.getByRole('region', { name: 'Table of sessions' }).getByRole('row')).toHaveCount(2);
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: `Suspend ${target.user.displayName}` }).click();
  await expect(page.getByRole('status')).toContainText(`${target.user.displayName} is suspended and cannot sign in; 1 session was ended.`);
  await expect(page.getByRole('main')).toContainText('is not signed in anywhere');
  expect((await validateSessionToken(db, token)).session).toBeNull();

  // Browsing with the suspended member's cookie gets the sign-in page, not the members' area.
  const other = await page.context().browser()!.newContext({ baseURL: new URL(page.url()).origin });
  await other.addCookies([sessionCookie(token, new URL(page.url()).origin)]);
  const theirs = await other.newPage();
  await theirs.goto('/admin');
  await expect(theirs).toHaveURL(/\/login\?next=%2Fadmin/);
  await other.close();

  await page.getByRole('button', { name: `Reactivate ${target.user.displayName}` }).click();
  await expect(page.getByRole('status')).toContainText('is active again');

  // Their own page offers no suspend or role change; a forged request is refused, clearly.
  await page.goto(`/admin/members/${admin.user.id}`);
  await expect(page.getByRole('main')).toContainText('This is your own account.');
  await expect(page.getByRole('button', { name: /^Suspend/ })).toHaveCount(0);
  const forged = await page.request.post(`/admin/members/${admin.user.id}?_action=admin.suspend`, {
    form: { userId: String(admin.user.id) },
    headers: { origin: new URL(page.url()).origin },
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain('You cannot suspend your own account.');

  // An unknown member is a 404, recorded as refused.
  const missing = await page.goto('/admin/members/987654321');
  expect(missing!.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Member not found');

  await page.goto(`/admin/audit?actor=${encodeURIComponent(admin.user.email)}`);
  const audit = page.getByRole('region', { name: 'Table of audit entries' });
  await expect(audit.getByRole('row').filter({ hasText: 'member-suspend' }).filter({ hasText: 'Success' })).toHaveCount(1);
  await expect(audit.getByRole('row').filter({ hasText: 'member-suspend' }).filter({ hasText: 'Refused' })).toContainText('reason: self');
  await expect(audit.getByRole('row').filter({ hasText: 'admin-view' })).toContainText('reason: not-found');
});

test('an administrator sees a reset request, emails the link, and changes a role', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const admin = await signIn('admin');
  const target = await createMember(db, 'member', 'Forgetful');
  await audit(db, { actorId: null, action: 'password-reset-request', outcome: 'success', targetType: 'user', targetId: target.user.id, ip: '198.51.100.7' });

  await page.goto(`/admin/members?q=${encodeURIComponent(target.user.email)}`);
  const row = page.getByRole('row').filter({ hasText: target.user.email });
  await expect(row).toContainText('Asked for a password reset on');
  await row.getByRole('link', { name: 'email them a link' }).click();
  await expect(page.getByRole('region', { name: 'Password reset' })).toContainText(`${target.user.displayName} asked for a password reset on`);
  await page.getByRole('button', { name: 'Email a password reset link' }).click();
  await expect(page.getByRole('status')).toContainText(`Password reset link emailed to ${target.user.email}`);
  const mail = await waitForMail(target.user.email, (m) => m.subject.startsWith('Reset your password'));
  expect(mail.text).toContain('A network administrator made you a link to choose a new password.');
  const token = linkIn(mail, 'Choose a new password').pathname.split('/').pop()!;
  expect((await findOpenReset(db, token))?.user.id).toBe(target.user.id);
  await expect(page.getByRole('main')).not.toContainText(token);
  await expect(page.locator('[data-reset-mail]')).toContainText('Latest reset email');
  await expect(page.getByRole('region', { name: 'Password reset' })).not.toContainText('asked for a password reset');
  await expectNoAxeViolations(page);

  await page.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'Moderator' });
  await page.getByRole('button', { name: 'Change role' }).click();
  await expect(page.getByRole('status')).toContainText(`${target.user.displayName}’s role is now Moderator.`);
  await expect(page.getByRole('combobox', { name: 'Role' })).toHaveValue('moderator');
  await page.getByRole('button', { name: 'Change role' }).click();
  await expect(page.locator('#field-role-error')).toContainText('is already a moderator');
  await expectNoAxeViolations(page);

  await page.goto(`/admin/audit?actor=${encodeURIComponent(admin.user.email)}&action=member-role-change`);
  await expect(page.getByRole('region', { name: 'Table of audit entries' })).toContainText('from: member; to: moderator');
  await expect(page.getByRole('link', { name: `user #${target.user.id}` })).toBeVisible();
});

test('an administrator creates and edits an organisation, with a clear message on a name clash', async ({ page, signIn, expectNoAxeViolations }) => {
  const admin = await signIn('admin');
  const name = `Westmoor Safeguarding Board ${unique()}`;
  await page.goto('/admin/organisations');
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Add organisation' }).click();
  await expect(page.locator('#field-name-error')).toContainText('Enter the organisation’s name');
  await expect(page.locator('#field-type-error')).toContainText('Choose the type of organisation');
  await expect(page.locator('#field-region-error')).toContainText('Choose a region');
  await expectNoAxeViolations(page);

  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Type').selectOption({ label: 'Local authority safeguarding' });
  await page.getByLabel('Region').selectOption({ label: 'West Midlands' });
  await page.getByRole('button', { name: 'Add organisation' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} is added`);
  await expect(page.getByRole('row').filter({ hasText: name })).toContainText('West Midlands');

  // The same name again, in other case: refused next to the field, input kept.
  await page.getByLabel('Name', { exact: true }).fill(name.toUpperCase());
  await page.getByLabel('Type').selectOption({ label: 'Charity' });
  await page.getByLabel('Region').selectOption({ label: 'Wales' });
  await page.getByRole('button', { name: 'Add organisation' }).click();
  await expect(page.locator('#field-name-error')).toContainText(`There is already an organisation called “${name.toUpperCase()}”`);
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(name.toUpperCase());
  await expect(page.getByLabel('Type')).toHaveValue('charity');
  await expect(page.getByRole('row').filter({ hasText: new RegExp(name, 'i') })).toHaveCount(1);
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Edit ${name}`);
  await expect(page.getByLabel('Region')).toHaveValue('west-midlands');
  await expectNoAxeViolations(page);
  await page.getByLabel('Name', { exact: true }).fill('Demo Northshire Police');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('#field-name-error')).toContainText('There is already an organisation called “Demo Northshire Police”');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Edit ${name}`);
  await expectNoAxeViolations(page);

  await page.getByLabel('Name', { exact: true }).fill(`${name} (renamed)`);
  await page.getByLabel('Region').selectOption({ label: 'National' });
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText(`Your changes to ${name} (renamed) are saved.`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Edit ${name} (renamed)`);

  await page.goto(`/admin/audit?actor=${encodeURIComponent(admin.user.email)}&action=organisation-create`);
  const audit = page.getByRole('region', { name: 'Table of audit entries' });
  await expect(audit.getByRole('row').filter({ hasText: 'Success' })).toContainText(name);
  await expect(audit.getByRole('row').filter({ hasText: 'Refused' })).toContainText('reason: name-taken');
  await page.goto(`/admin/audit?actor=${encodeURIComponent(admin.user.email)}&action=organisation-update&outcome=success`);
  await expect(audit.getByRole('row')).toHaveCount(2);
  await expect(audit).toContainText('(renamed)');
});

test('a member who is not an administrator gets 403, and the refusal is audited', async ({ page, db, signIn, baseURL }) => {
  const member = await signIn('member');
  for (const path of ['/admin', '/admin/members', '/admin/organisations', '/admin/audit', `/admin/members/${member.user.id}`]) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(403);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You do not have permission to see this page');
  }
  const action = await page.request.post('/_actions/admin.suspend', { form: { userId: String(member.user.id) }, headers: { origin: baseURL! } });
  expect(action.status()).toBe(403);
  expect(await action.json()).toMatchObject({ code: 'FORBIDDEN' });

  const refusals = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.actorId, member.user.id), eq(auditLog.action, 'admin-access'), eq(auditLog.outcome, 'refused')))
    .orderBy(desc(auditLog.id))
    .all();
  expect(refusals.map((r) => r.targetId)).toContain('/admin/members');
  expect(refusals[0]).toMatchObject({ targetType: 'action', targetId: 'admin.suspend' });
  expect((await db.select().from(auditLog).where(eq(auditLog.action, 'member-suspend')).all()).filter((r) => r.targetId === String(member.user.id))).toEqual([]);
});

test('a visitor who is not signed in is sent to sign in', async ({ page }) => {
  await page.goto('/admin/members');
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fmembers$/);
});
