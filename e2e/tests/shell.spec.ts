import { PASSWORD } from '../env.ts';
import { addMember, expect, signUpOverHttp, test, uniqueEmail } from '../fixtures.ts';

const LEGACY_BANNER =
  'Production and Sandbox share every resource: any resource you create, edit or delete in one environment is immediately reflected in the other.';

test('sign up in the browser, land in Production and switch to Sandbox with the environment picker', async ({
  page,
}) => {
  await page.goto('/sign-up');
  await page.getByLabel('Work e-mail').fill('not-an-address');
  await page.getByLabel('Password').fill('too short');
  await page.getByRole('button', { name: 'Create account' }).click();
  // Each problem is told next to its field, and announced with it.
  await expect(page.getByLabel('Work e-mail')).toHaveAccessibleDescription(/Enter a valid e-mail address/);
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/Use at least 12 characters/);
  await expect(page.getByLabel('Account name')).toHaveAccessibleDescription(/Account name is required/);

  await page.getByLabel('Work e-mail').fill(uniqueEmail('multi'));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Account name').fill('Acme Integrations');
  await expect(page.getByRole('radio', { name: 'Multi-environment (recommended)' })).toBeChecked();
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/production\/resources\/agents$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
  await expect(page.getByTestId('account-name')).toContainText('Acme Integrations');
  await expect(page.getByTestId('environment-toggle')).toHaveCount(0);
  await expect(page.getByTestId('legacy-environment-banner')).toHaveCount(0);

  await page.getByRole('button', { name: 'Environment: Production' }).click();
  await page.getByRole('menuitemradio', { name: /Sandbox/ }).click();

  await expect(page).toHaveURL(/\/sandbox\/resources\/agents$/);
  await expect(page.getByRole('button', { name: 'Environment: Sandbox' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
  await expect(page.getByTestId('legacy-environment-banner')).toHaveCount(0);
});

test('a legacy account toggles between Production and Sandbox under the shared-resources banner', async ({
  page,
  signUp,
}) => {
  await signUp({ license: 'LEGACY' });
  await page.goto('/production/settings/members');

  const banner = page.getByTestId('legacy-environment-banner');
  await expect(banner).toContainText(LEGACY_BANNER);
  await expect(banner).toHaveAttribute('role', 'status');
  await expect(page.getByRole('radio', { name: 'Production' })).toBeChecked();
  await expect(page.getByRole('button', { name: /^Environment:/ })).toHaveCount(0);

  await page.getByRole('radio', { name: 'Sandbox' }).click();

  await expect(page).toHaveURL(/\/sandbox\/settings\/members$/);
  await expect(page.getByRole('radio', { name: 'Sandbox' })).toBeChecked();
  await expect(banner).toContainText(LEGACY_BANNER);
  await expect(page.getByRole('heading', { level: 1, name: 'Members' })).toBeVisible();

  await page.getByRole('radio', { name: 'Production' }).click();
  await expect(page).toHaveURL(/\/production\/settings\/members$/);
  await expect(banner).toContainText(LEGACY_BANNER);
});

test('an environment the account does not have is a clear "not found"', async ({ page, signUp }) => {
  await signUp();
  await page.goto('/staging/resources/agents');
  await expect(page.getByTestId('environment-not-found')).toContainText('Environment not found');
  await page.getByRole('link', { name: 'Go to Production' }).click();
  await expect(page).toHaveURL(/\/production\/resources\/agents$/);
});

test('signed out, a page sends you to sign in and back', async ({ page, signUp }) => {
  const account = await signUp();
  await page.context().clearCookies();

  await page.goto('/sandbox/settings/members');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsandbox%2Fsettings%2Fmembers$/);
  await page.getByLabel('E-mail').fill(account.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'E-mail or password is incorrect' })).toBeVisible();

  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sandbox\/settings\/members$/);
  await expect(page.getByRole('cell', { name: account.email })).toBeVisible();
});

test('sign out from the user menu', async ({ page, signUp }) => {
  const account = await signUp();
  await page.goto('/production/resources/agents');
  await page.getByRole('button', { name: `User menu: ${account.email}` }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.goto('/production/resources/agents');
  await expect(page).toHaveURL(/\/sign-in\?next=/);
});

test('a member of two accounts switches between them in the top bar', async ({ page, signUp }) => {
  const account = await signUp({ accountName: 'Acme Integrations' });
  const globex = await signUpOverHttp({ accountName: 'Globex', license: 'LEGACY' });
  await addMember(globex.api, account.email, 'ADMIN');
  await globex.api.dispose();

  await page.goto('/production/resources/agents');
  await page.getByRole('button', { name: 'Account: Acme Integrations' }).click();
  await page.getByRole('menuitemradio', { name: /Globex/ }).click();

  await expect(page.getByRole('button', { name: 'Account: Globex' })).toBeVisible();
  await expect(page).toHaveURL(/\/production\/resources\/agents$/);
  // Globex is a legacy account: its toggle and banner replace Acme's environment picker.
  await expect(page.getByTestId('legacy-environment-banner')).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Sandbox' })).toBeVisible();
});
