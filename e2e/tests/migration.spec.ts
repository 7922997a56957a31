import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.ts';

const LEGACY_BANNER =
  'Production and Sandbox share every resource: any resource you create, edit or delete in one environment is immediately reflected in the other.';

/** Creates a resource through the web app's API proxy, as the signed-in browser. */
async function create(page: Page, path: string, data: Record<string, unknown>, environment = 'production') {
  const response = await page.request.post(`/api/v1/${path}`, {
    headers: { 'x-outpost-client': 'e2e', 'x-outpost-environment': environment },
    data,
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { id: string };
}

test('a legacy account sees the toggle and banner, migrates from settings, reads the report, then has the environment picker', async ({
  page,
  signUp,
}) => {
  await signUp({ license: 'LEGACY', accountName: 'Legacy Co' });
  await create(page, 'agents', { name: 'Plant agent' });
  await create(page, 'connections', {
    name: 'ERP',
    type: 'HTTP',
    http: { baseUri: 'https://erp.example.com' },
  });

  // Legacy: the Production / Sandbox toggle, the banner in both, and one set of resources.
  await page.goto('/production/resources/agents');
  await expect(page.getByTestId('legacy-environment-banner')).toContainText(LEGACY_BANNER);
  await expect(page.getByRole('radio', { name: 'Production' })).toBeChecked();
  await expect(page.getByRole('button', { name: /^Environment:/ })).toHaveCount(0);
  await page.getByRole('radio', { name: 'Sandbox' }).click();
  await expect(page).toHaveURL(/\/sandbox\/resources\/agents$/);
  await expect(page.getByTestId('legacy-environment-banner')).toContainText(LEGACY_BANNER);
  await expect(page.getByText('Plant agent')).toBeVisible();

  // Account settings → Environments: the migration panel and the limits per environment.
  await page.getByRole('link', { name: 'Environments' }).click();
  await expect(page).toHaveURL(/\/sandbox\/settings\/environments$/);
  await expect(page.getByTestId('usage-production')).toContainText('1 / 100');
  await expect(page.getByTestId('migration-panel')).toContainText('Production keeps everything as it is');
  await page.getByRole('link', { name: 'Preview the migration' }).click();

  // The preview: what stays, what is copied, what will need doing.
  await expect(
    page.getByRole('heading', { level: 1, name: 'Migrate to multiple environments' }),
  ).toBeVisible();
  await expect(page.getByTestId('migration-notes')).toContainText('Production keeps every resource');
  await expect(page.getByTestId('migration-todo')).toContainText(
    'Show token on agent "Plant agent" in Sandbox and install it on a machine of the network Sandbox should reach',
  );
  await expect(page.getByTestId('migration-item-sandbox-connection-ERP')).toContainText('Copied');
  await expect(page.getByTestId('migration-item-production-agent-Plant agent')).toContainText('Kept');

  await page.getByRole('button', { name: 'Migrate Legacy Co' }).click();
  const dialog = page.getByRole('dialog', { name: 'Migrate Legacy Co to multiple environments?' });
  await expect(dialog).toContainText('cannot go back to the legacy license');
  await dialog.getByRole('button', { name: 'Migrate', exact: true }).click();

  // The report, at a URL of its own.
  await expect(page).toHaveURL(/\/sandbox\/settings\/migration\/[0-9a-f-]{36}$/);
  const reportUrl = page.url();
  await expect(page.getByRole('heading', { level: 1, name: 'Migration report' })).toBeVisible();
  await expect(page.getByTestId('migration-actions')).toContainText(
    'Show token on agent "Plant agent" in Sandbox and install it',
  );
  await expect(page.getByTestId('migration-item-sandbox-agent-Plant agent')).toContainText(
    'Copied, new token',
  );
  await expect(page.getByTestId('migration-item-production-connection-ERP')).toContainText('Kept');
  await expect(page.getByTestId('migration-report')).not.toContainText(/op[ak]_/);

  // Multi-environment now: the picker instead of the toggle, and no banner.
  await expect(page.getByRole('button', { name: 'Environment: Sandbox' })).toBeVisible();
  await expect(page.getByTestId('environment-toggle')).toHaveCount(0);
  await expect(page.getByTestId('legacy-environment-banner')).toHaveCount(0);

  // Sandbox holds its own copy of the agent, awaiting setup; Production's is untouched.
  await page.getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByTestId('agent-Plant agent')).toContainText('Awaiting setup');

  // The report is kept: reachable later from settings, and by its address.
  await page.goto('/production/settings/environments');
  await expect(page.getByRole('button', { name: 'Environment: Production' })).toBeVisible();
  await expect(page.getByTestId('migration-panel')).toHaveCount(0);
  await page.getByRole('link', { name: 'Open the migration report' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Migration report' })).toBeVisible();
  await expect(page.getByTestId('migration-item-sandbox-agent-Plant agent')).toBeVisible();
  await page.goto(reportUrl);
  await expect(page.getByTestId('migration-report')).toBeVisible();
});

test('a multi-environment admin renames an environment and deletes it, told first what goes with it', async ({
  page,
  signUp,
}) => {
  await signUp();
  const staging = await create(page, 'environments', { name: 'Staging', slug: 'staging' });
  expect(staging.id).toBeTruthy();
  await create(page, 'agents', { name: 'Staging agent' }, 'staging');
  await create(
    page,
    'connections',
    { name: 'Staging API', type: 'HTTP', http: { baseUri: 'https://staging.example.com' } },
    'staging',
  );

  await page.goto('/production/settings/environments');
  await expect(page.getByTestId('usage-staging')).toContainText('1 / 100');
  await page.getByRole('button', { name: 'Actions for Staging' }).click();
  await page.getByRole('menuitem', { name: 'Rename' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename Staging' });
  await rename.getByLabel('Name').fill('Pre-production');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('environment-staging')).toContainText('Pre-production');

  await page.getByRole('button', { name: 'Actions for Pre-production' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Pre-production?' });
  await expect(confirm.getByTestId('environment-delete-contents')).toContainText('1 agent');
  await expect(confirm.getByTestId('environment-delete-contents')).toContainText('1 connection');
  await confirm.getByRole('button', { name: 'Delete Pre-production and everything in it' }).click();
  await expect(page.getByTestId('environment-staging')).toHaveCount(0);
  await page.getByRole('button', { name: 'Environment: Production' }).click();
  await expect(page.getByRole('menuitemradio', { name: /Pre-production/ })).toHaveCount(0);
});
