import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.ts';

/**
 * Takes the README's screenshots: `pnpm --filter @outpost/e2e screenshots`. Not part of the test
 * suite (pictures change with every pixel of the design). agents.png shows agents connected with the
 * real agent program, so it is taken by hand.
 */

const folder = path.resolve(import.meta.dirname, '../../docs/screenshots');

async function capture(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(folder, `${name}.png`) });
}

test('sign-up', async ({ page }) => {
  await page.goto('/sign-up');
  await expect(page.getByRole('heading', { name: 'Create your Outpost account' })).toBeVisible();
  await capture(page, 'sign-up');
});

test('multi-environment shell with the environment picker', async ({ page, signUp }) => {
  await signUp({ accountName: 'Acme Integrations' });
  await page.goto('/production/resources/agents');
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
  await page.getByRole('button', { name: 'Environment: Production' }).click();
  await expect(page.getByRole('menuitemradio', { name: /Sandbox/ })).toBeVisible();
  await capture(page, 'environment-picker');
});

test('legacy shell with the toggle and the banner', async ({ page, signUp }) => {
  await signUp({ license: 'LEGACY', accountName: 'Globex' });
  await page.goto('/sandbox/settings/members');
  await expect(page.getByRole('cell', { name: /@/ })).toBeVisible();
  await capture(page, 'shell-legacy');
});

test('API tokens: created, shown and copied', async ({ page, signUp, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signUp({ accountName: 'Acme Integrations' });
  await page.goto('/production/resources/api-tokens');
  for (const [name, role] of [
    ['Nightly ERP export', 'MANAGE'],
    ['Grafana dashboard', 'MONITOR'],
  ] as const) {
    await page.getByRole('button', { name: 'Create API token' }).first().click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Create API token' }).last().click();
    await expect(page.getByRole('heading', { name: 'API token created' })).toBeVisible();
    if (name === 'Grafana dashboard') await capture(page, 'api-token-created');
    await page.getByRole('button', { name: 'Done' }).click();
  }
  await page.getByRole('button', { name: 'Hide token of Nightly ERP export' }).click();
  await page.getByRole('button', { name: 'Hide token of Grafana dashboard' }).click();
  await page.getByTestId('api-token-Nightly ERP export').getByRole('button', { name: 'Show token' }).click();
  await page.getByTestId('api-token-Nightly ERP export').getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByTestId('api-token-Nightly ERP export').getByText('Copied')).toBeVisible();
  await capture(page, 'api-tokens');
});

test('members, environments and the audit log', async ({ page, signUp }) => {
  await signUp({ accountName: 'Acme Integrations' });
  await page.goto('/production/settings/members');
  await page.getByRole('button', { name: 'Add member' }).click();
  await page.getByLabel('E-mail').fill('grace@acme.test');
  await page.getByLabel('Role').selectOption('ADMIN');
  await page.getByRole('dialog').getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('cell', { name: /grace@acme\.test/ })).toBeVisible();
  await capture(page, 'members');

  await page.goto('/production/settings/environments');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await page.getByLabel('Name').fill('EU Staging');
  await page.getByRole('dialog').getByRole('button', { name: 'Create environment' }).click();
  await expect(page.getByRole('cell', { name: 'eu-staging' })).toBeVisible();
  await capture(page, 'environments');

  await page.goto('/production/settings/audit');
  await expect(page.getByRole('table', { name: 'Audit log' })).toBeVisible();
  await capture(page, 'audit-log');
});
