import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.ts';

/**
 * Issue 7 in the browser, for every resource type: a legacy account's Production and Sandbox pages
 * list the same resources; a multi-environment account's pages list only their own environment's.
 */

const PAGES = ['agents', 'api-tokens', 'connections', 'exports', 'imports', 'scripts', 'flows'] as const;
type ResourcePage = (typeof PAGES)[number];

async function post(page: Page, path: string, data: Record<string, unknown>, environment: string) {
  const response = await page.request.post(`/api/v1/${path}`, {
    headers: { 'x-outpost-client': 'e2e', 'x-outpost-environment': environment },
    data,
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** One resource of every type in `environment`, each named "<Type> <environment>"; the ids by page. */
async function everyType(page: Page, environment: string): Promise<Record<ResourcePage, string>> {
  const named = (type: string) => `${type} ${environment}`;
  const connectionId = await post(
    page,
    'connections',
    { name: named('Connection'), type: 'HTTP', http: { baseUri: 'https://erp.example.com' } },
    environment,
  );
  const exportId = await post(
    page,
    'exports',
    { name: named('Export'), connectionId, http: { path: '/orders' } },
    environment,
  );
  const importId = await post(
    page,
    'imports',
    { name: named('Import'), connectionId, http: { path: '/orders' } },
    environment,
  );
  return {
    agents: await post(page, 'agents', { name: named('Agent') }, environment),
    'api-tokens': await post(page, 'api-tokens', { name: named('API token') }, environment),
    connections: connectionId,
    exports: exportId,
    imports: importId,
    scripts: await post(
      page,
      'scripts',
      { name: named('Script'), kind: 'FILTER', source: 'function filter(record) {\n  return true;\n}\n' },
      environment,
    ),
    flows: await post(page, 'flows', { name: named('Flow'), exportId, importIds: [importId] }, environment),
  };
}

const TYPE_NAMES: Record<ResourcePage, string> = {
  agents: 'Agent',
  'api-tokens': 'API token',
  connections: 'Connection',
  exports: 'Export',
  imports: 'Import',
  scripts: 'Script',
  flows: 'Flow',
};

function listed(page: Page, name: string) {
  return page.getByRole('main').getByText(name, { exact: true });
}

test('LEGACY: every resource made in Sandbox is on the Production pages, and deleted from Production it leaves Sandbox', async ({
  page,
  signUp,
}) => {
  await signUp({ license: 'LEGACY' });
  await everyType(page, 'production');
  const ids = await everyType(page, 'sandbox');
  for (const resource of PAGES) {
    await page.goto(`/production/resources/${resource}`);
    await expect(listed(page, `${TYPE_NAMES[resource]} sandbox`), resource).toBeVisible();
    await expect(page.getByTestId('legacy-environment-banner')).toBeVisible();
  }
  // Deleted from Production (users before what they use), gone from Sandbox's pages.
  for (const resource of [
    'flows',
    'exports',
    'imports',
    'scripts',
    'connections',
    'agents',
    'api-tokens',
  ] as const) {
    const response = await page.request.delete(`/api/v1/${resource}/${ids[resource]}`, {
      headers: { 'x-outpost-client': 'e2e', 'x-outpost-environment': 'production' },
    });
    expect(response.status(), `${resource}: ${await response.text()}`).toBe(204);
  }
  for (const resource of PAGES) {
    await page.goto(`/sandbox/resources/${resource}`);
    await expect(listed(page, `${TYPE_NAMES[resource]} production`), resource).toBeVisible();
    await expect(listed(page, `${TYPE_NAMES[resource]} sandbox`), resource).toHaveCount(0);
  }
});

test('MULTI_ENV: each environment lists only its own resources of every type', async ({ page, signUp }) => {
  await signUp();
  await everyType(page, 'production');
  await everyType(page, 'sandbox');
  for (const resource of PAGES) {
    const type = TYPE_NAMES[resource];
    await page.goto(`/production/resources/${resource}`);
    await expect(listed(page, `${type} production`), resource).toBeVisible();
    await expect(listed(page, `${type} sandbox`), resource).toHaveCount(0);

    await page.getByRole('button', { name: 'Environment: Production' }).click();
    await page.getByRole('menuitemradio', { name: /Sandbox/ }).click();
    await expect(page).toHaveURL(new RegExp(`/sandbox/resources/${resource}$`));
    await expect(listed(page, `${type} sandbox`), resource).toBeVisible();
    await expect(listed(page, `${type} production`), resource).toHaveCount(0);
  }
});
