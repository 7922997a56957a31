import path from 'node:path';
import type { Page } from '@playwright/test';
import { useSessionOf } from '../agent-fixtures.ts';
import { expect, signUpOverHttp, test } from '../fixtures.ts';
import { startShop } from '../loopback-shop.ts';

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

test('the flow builder and a run with its failed record', async ({ page, context }) => {
  test.setTimeout(90_000);
  const owner = await signUpOverHttp({ accountName: 'Acme Integrations' });
  const shop = await startShop();
  try {
    const create = async (kind: string, data: object) => {
      const response = await owner.api.post(`/v1/${kind}`, { data });
      expect(response.status(), await response.text()).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const connectionId = await create('connections', {
      name: 'Shop API',
      type: 'HTTP',
      http: { baseUri: shop.baseUri },
    });
    const exportId = await create('exports', {
      name: 'Customers',
      connectionId,
      http: {
        path: '/customers',
        recordsPath: 'data',
        pagination: { type: 'page_number', param: 'page', startAt: 1, sizeParam: 'per_page', size: 2 },
      },
    });
    const scriptId = await create('scripts', {
      name: 'Full name',
      kind: 'TRANSFORM',
      source:
        "function transform(record) {\n  if (!record.last) throw new Error('No last name for ' + record.first);\n  return { id: record.id, name: record.first + ' ' + record.last };\n}\n",
    });
    const importId = await create('imports', {
      name: 'Customers to CRM',
      connectionId,
      http: { path: '/crm/customers', mode: 'batch', batchSize: 2 },
    });
    const flowId = await create('flows', {
      name: 'Customers to the CRM',
      exportId,
      scriptIds: [scriptId],
      importIds: [importId],
      schedule: '30 2 * * 1-5',
      timezone: 'Europe/Berlin',
    });
    const queued = await owner.api.post(`/v1/flows/${flowId}/runs`);
    expect(queued.status()).toBe(202);
    const runId = ((await queued.json()) as { id: string }).id;
    await expect
      .poll(
        async () => ((await (await owner.api.get(`/v1/runs/${runId}`)).json()) as { status: string }).status,
      )
      .toBe('succeeded');
    await useSessionOf(owner.api, context);

    await page.goto(`/production/resources/flows/${flowId}`);
    await expect(page.getByTestId('flow-chain')).toContainText('Customers to CRM');
    await expect(page.getByRole('table', { name: 'Runs' }).getByTestId('run-status')).toHaveAttribute(
      'data-status',
      'succeeded',
    );
    await capture(page, 'flow-builder');

    await page.goto(`/production/resources/runs/${runId}`);
    await expect(page.getByTestId('record-error')).toContainText('No last name for Alan');
    await capture(page, 'run-details');
  } finally {
    await shop.close();
    await owner.api.dispose();
  }
});
