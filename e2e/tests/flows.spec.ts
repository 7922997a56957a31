import type { Page } from '@playwright/test';
import { signInAsMember, useSessionOf } from '../agent-fixtures.ts';
import { expect, signUpOverHttp, test } from '../fixtures.ts';
import { CUSTOMERS, startShop } from '../loopback-shop.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Throws for the customer without a last name: that record fails, the others go on. */
const FULL_NAME_SCRIPT = `function transform(record) {
  if (!record.last) throw new Error('No last name for ' + record.first);
  return { id: record.id, name: record.first + ' ' + record.last };
}
`;

/** Picks `option` in the SelectMenu named `label` (a combobox with a listbox popup). */
async function choose(page: Page, label: string, option: string | RegExp) {
  const combobox = page.getByRole('combobox', { name: label, exact: true });
  await combobox.click();
  await page.getByRole('option', { name: option }).click();
  await expect(page.getByRole('listbox')).toHaveCount(0);
}

/** Saves the form and waits for the resource to be its own page. */
async function save(page: Page, name: string, kind: string) {
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText(`${name} was saved`)).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/production/resources/${kind}/${UUID.source}$`));
}

test('a flow built in the browser: an HTTP export with page numbers, a script that fails one record, a batched import; Run now succeeds and the run shows the failed record', async ({
  page,
  signUp,
}) => {
  test.setTimeout(120_000);
  const shop = await startShop();
  try {
    await signUp({ accountName: 'Acme Integrations' });

    // A Cloud HTTP connection to the shop.
    await page.goto('/production/resources/connections/new');
    await page.getByLabel('Name', { exact: true }).fill('Shop API');
    await page.getByLabel('Base URI').fill(shop.baseUri);
    await save(page, 'Shop API', 'connections');

    // The export: nothing yet, then the customers a page of two at a time.
    await page.getByRole('navigation').getByRole('link', { name: 'Exports' }).click();
    await expect(page.getByRole('heading', { name: 'No exports yet' })).toBeVisible();
    await page.getByRole('link', { name: 'Create export' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Customers');
    await choose(page, 'Connection', /Shop API/);
    await expect(page.getByRole('combobox', { name: 'Connection' })).toContainText('Cloud');
    await page.getByLabel('Path', { exact: true }).fill('/customers');
    await page.getByLabel('Records path').fill('data');
    await page.getByRole('radio', { name: 'Page number' }).check();
    await page.getByLabel('Page size parameter').fill('per_page');
    await page.getByRole('textbox', { name: /^Page size\s*\(optional\)$/ }).fill('2');
    await save(page, 'Customers', 'exports');
    await page.getByRole('link', { name: 'Back to exports' }).click();
    const exportRow = page.getByTestId('export-Customers');
    await expect(exportRow).toContainText('Shop API');
    await expect(exportRow).toContainText('Cloud');
    await expect(exportRow).toContainText('HTTP');

    // The script: a syntax error is refused at save with its line, then the real one.
    await page.goto('/production/resources/scripts/new');
    await page.getByLabel('Name', { exact: true }).fill('Full name');
    const source = page.getByLabel('Source');
    await expect(source).toHaveValue('function transform(record) {\n  return record;\n}\n');
    await source.fill('function transform(record) {\n  const name = record.first +;\n  return record;\n}\n');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByTestId('script-check-result')).toContainText('Line 2');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(source).toHaveAttribute('aria-invalid', 'true');
    await expect(source).toHaveAccessibleDescription(/^Line 2/);
    await expect(page).toHaveURL(/\/scripts\/new$/);
    await source.fill(FULL_NAME_SCRIPT);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByTestId('script-check-result')).toContainText('The script compiles');
    await save(page, 'Full name', 'scripts');

    // The import: the CRM, two records a request.
    await page.goto('/production/resources/imports/new');
    await page.getByLabel('Name', { exact: true }).fill('Customers to CRM');
    await choose(page, 'Connection', /Shop API/);
    await page.getByLabel('Path', { exact: true }).fill('/crm/customers');
    await expect(page.getByRole('radio', { name: 'Batched' })).toBeChecked();
    await page.getByLabel('Batch size').fill('2');
    await save(page, 'Customers to CRM', 'imports');

    // The flow builder: export → script → import, drawn as it is picked.
    await page.getByRole('navigation').getByRole('link', { name: 'Flows' }).click();
    await expect(page.getByRole('heading', { name: 'No flows yet' })).toBeVisible();
    await page.getByRole('link', { name: 'Create flow' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Customers to the CRM');
    const chain = page.getByTestId('flow-chain');
    await expect(chain).toContainText('Pick an export');
    await choose(page, 'Export', /Customers/);
    await choose(page, 'Add a script', /Full name/);
    await choose(page, 'Add an import', /Customers to CRM/);
    await expect(page.getByRole('list', { name: 'Scripts' })).toContainText('Full name');
    await expect(chain.getByRole('listitem')).toHaveCount(3);
    await expect(chain).toContainText(/Export\s*Customers\s*Shop API\s*Cloud/);
    await expect(chain).toContainText(/Transform\s*Full name/);
    await expect(chain).toContainText(/Import\s*Customers to CRM\s*Shop API\s*Cloud/);
    await expect(page.getByRole('radio', { name: 'Manual' })).toBeChecked();
    await save(page, 'Customers to the CRM', 'flows');

    // Run now: the history shows the run until it has succeeded.
    await page.getByRole('button', { name: 'Run now' }).click();
    await expect(page.getByText('Customers to the CRM: run queued')).toBeVisible();
    const history = page.getByRole('table', { name: 'Runs' });
    await expect(history.getByRole('row')).toHaveCount(2);
    const run = history.getByRole('row').nth(1);
    await expect(run.getByTestId('run-status')).toHaveAttribute('data-status', 'succeeded', {
      timeout: 30_000,
    });
    await expect(run.getByTestId('run-read')).toHaveText('5');
    await expect(run.getByTestId('run-written')).toHaveText('4');
    await expect(run.getByTestId('run-failed')).toHaveText('1');
    await expect(run).toContainText('Run now');

    // What the CRM got: every customer but the one the script refused, transformed, once.
    expect(shop.batches.every((batch) => batch.length <= 2)).toBe(true);
    expect(shop.received()).toEqual(
      CUSTOMERS.filter((customer) => customer.last).map((customer) => ({
        id: customer.id,
        name: `${customer.first} ${customer.last}`,
      })),
    );
    expect(shop.pagesServed[0]).toBe('?page=1&per_page=2');

    // The run's details: its counts, and the failed record with the script's message.
    await run.getByRole('link').first().click();
    await expect(page).toHaveURL(new RegExp(`/production/resources/runs/${UUID.source}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Run of Customers to the CRM');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'succeeded');
    const summary = page.getByTestId('run-summary');
    await expect(summary.getByTestId('run-read')).toHaveText('5');
    await expect(summary.getByTestId('run-written')).toHaveText('4');
    await expect(summary.getByTestId('run-failed')).toHaveText('1');
    const failed = page.getByRole('list', { name: 'Failed records' }).getByTestId('record-error');
    await expect(failed).toHaveCount(1);
    await expect(failed).toContainText('Script');
    await expect(failed).toContainText('Full name');
    await expect(failed).toContainText('No last name for Alan');
    await expect(failed.getByTestId('failed-record')).toContainText('"first": "Alan"');
    await expect(failed.getByTestId('failed-record')).toContainText('"id": 3');
    await expect(page.getByRole('button', { name: 'Cancel run' })).toHaveCount(0);

    // The flows list: the last run, Manual, enabled.
    await page.getByRole('navigation').getByRole('link', { name: 'Flows' }).click();
    const flowRow = page.getByTestId('flow-Customers to the CRM');
    await expect(flowRow).toContainText('Manual');
    await expect(flowRow.getByTestId('run-status')).toHaveAttribute('data-status', 'succeeded');
    await expect(flowRow.getByRole('switch', { name: 'Customers to the CRM enabled' })).toBeChecked();

    // Run now from the list: a second run, and the CRM gets the four customers again.
    await flowRow.getByRole('button', { name: 'Actions for Customers to the CRM' }).click();
    await page.getByRole('menuitem', { name: 'Run now' }).click();
    // The first Run now's toast may still be showing: the newest is this run's.
    await expect(page.getByText('Customers to the CRM: run queued').last()).toBeVisible();
    await expect.poll(() => shop.received().length, { timeout: 30_000 }).toBe(8);
    await expect(flowRow.getByTestId('run-status')).toHaveAttribute('data-status', 'succeeded');
  } finally {
    await shop.close();
  }
});

test('a MONITOR member sees flows and runs read-only', async ({ page, context }) => {
  const owner = await signUpOverHttp({ accountName: 'Acme Integrations' });
  const member = await signInAsMember(owner.api, 'MONITOR');
  try {
    const connection = await owner.api.post('/v1/connections', {
      data: { name: 'Billing API', type: 'HTTP', http: { baseUri: 'https://billing.example.com' } },
    });
    expect(connection.status()).toBe(201);
    const connectionId = ((await connection.json()) as { id: string }).id;
    const source = await owner.api.post('/v1/exports', {
      data: { name: 'Invoices', connectionId, http: { path: '/invoices' } },
    });
    const destination = await owner.api.post('/v1/imports', {
      data: { name: 'Ledger', connectionId, http: { path: '/ledger' } },
    });
    expect([source.status(), destination.status()]).toEqual([201, 201]);
    const flow = await owner.api.post('/v1/flows', {
      data: {
        name: 'Invoices to ledger',
        exportId: ((await source.json()) as { id: string }).id,
        importIds: [((await destination.json()) as { id: string }).id],
        schedule: '30 2 * * *',
      },
    });
    expect(flow.status()).toBe(201);
    await useSessionOf(member.api, context);

    await page.goto('/production/resources/flows');
    const row = page.getByTestId('flow-Invoices to ledger');
    await expect(row).toContainText('Every day at 02:30');
    await expect(row).toContainText('Never run');
    await expect(row.getByRole('switch')).toBeDisabled();
    await expect(page.getByRole('link', { name: 'Create flow' })).toHaveCount(0);
    await expect(row.getByRole('button', { name: /^Actions for/ })).toHaveCount(0);

    await row.getByRole('link', { name: 'Invoices to ledger' }).click();
    await expect(page.getByText('You can view this flow.')).toBeVisible();
    await expect(page.getByLabel('Name', { exact: true })).toBeDisabled();
    await expect(page.getByTestId('flow-chain')).toContainText('Invoices');
    await expect(page.getByRole('button', { name: 'Run now' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);

    // Another environment's flow id is not found here.
    await page.goto(page.url().replace('/production/', '/sandbox/'));
    await expect(page.getByRole('heading', { name: 'Flow not found' })).toBeVisible();
  } finally {
    await member.api.dispose();
    await owner.api.dispose();
  }
});

test('Cancel run stops a running flow', async ({ page, context }) => {
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
    const flowId = await create('flows', {
      name: 'Every customer, slowly',
      exportId: await create('exports', {
        name: 'Endless customers',
        connectionId,
        http: { path: '/customers/endless', recordsPath: 'data', pagination: { type: 'page_number' } },
      }),
      importIds: [await create('imports', { name: 'CRM', connectionId, http: { path: '/crm/customers' } })],
    });
    await useSessionOf(owner.api, context);

    await page.goto(`/production/resources/flows/${flowId}`);
    await page.getByRole('button', { name: 'Run now' }).click();
    const run = page.getByRole('table', { name: 'Runs' }).getByRole('row').nth(1);
    await expect(run.getByTestId('run-status')).toHaveAttribute('data-status', 'running', {
      timeout: 20_000,
    });
    await run.getByRole('link').first().click();
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled', {
      timeout: 20_000,
    });
    await expect(page.getByRole('button', { name: /Cancel run|Cancelling/ })).toHaveCount(0);
    const pagesAtCancel = shop.pagesServed.length;
    expect(pagesAtCancel).toBeGreaterThan(0);
    // Cancelled means stopped: the shop is asked for no more pages.
    await page.waitForTimeout(1_500);
    expect(shop.pagesServed.length).toBeLessThanOrEqual(pagesAtCancel + 1);
  } finally {
    await shop.close();
    await owner.api.dispose();
  }
});
