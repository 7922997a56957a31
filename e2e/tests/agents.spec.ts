import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Page } from '@playwright/test';
import {
  AGENT_BUNDLE,
  type RunningAgent,
  signInAsMember,
  startAgent,
  useSessionOf,
} from '../agent-fixtures.ts';
import { API_URL } from '../env.ts';
import { expect, signUpOverHttp, test } from '../fixtures.ts';

const AGENT_NAME = 'Warehouse network';
const AGENT_DESCRIPTION = 'SQL Server on VM1 and the ERP API on VM2';

async function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

/** What the hub answers a connect attempt with this token: 401 refused, 426 accepted (no upgrade asked). */
async function connectStatus(token: string): Promise<number> {
  const response = await fetch(`${API_URL}/v1/agent/connect`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  return response.status;
}

test('create an agent, copy its token, see it come online live, and revoke the token with Generate token', async ({
  page,
  context,
  signUp,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signUp({ accountName: 'Acme Integrations' });

  // Resources → Agents → + Create agent → name and description → Save.
  await page.goto('/production/resources/api-tokens');
  await page.getByRole('navigation').getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('heading', { name: 'No agents yet' })).toBeVisible();
  await page.getByRole('button', { name: 'Create agent' }).click();
  const createDialog = page.getByRole('dialog', { name: 'Create agent' });
  await expect(createDialog).toContainText('Name your agent and add a description');
  await createDialog.getByLabel('Name').fill(AGENT_NAME);
  await createDialog.getByLabel('Description').fill(AGENT_DESCRIPTION);
  await createDialog.getByRole('button', { name: 'Save' }).click();
  await expect(createDialog).toBeHidden();

  const row = page.getByTestId(`agent-${AGENT_NAME}`);
  await expect(row).toContainText('Awaiting setup');
  await expect(row).toContainText(AGENT_DESCRIPTION);
  await expect(page.getByText('1 agent', { exact: true })).toBeVisible();

  // A second agent of the same name: the API's 409 is shown next to the name.
  await page.getByRole('button', { name: 'Create agent' }).click();
  await createDialog.getByLabel('Name').fill(AGENT_NAME);
  await createDialog.getByRole('button', { name: 'Save' }).click();
  await expect(createDialog.getByLabel('Name')).toHaveAccessibleDescription(/already exists/);
  await createDialog.getByRole('button', { name: 'Cancel' }).click();

  // Install → Download → Linux: the archive, named by the API.
  await row.getByRole('button', { name: `Download for ${AGENT_NAME}` }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: /^Linux/ }).click();
  expect((await downloading).suggestedFilename()).toMatch(/^outpost-agent-.+-linux\.tar\.gz$/);

  // Show token, Copy: the clipboard holds the agent's token.
  await row.getByRole('button', { name: 'Show token' }).click();
  await row.getByRole('button', { name: 'Copy' }).click();
  await expect(row.getByText('Copied')).toBeVisible();
  const copied = await readClipboard(page);
  const { items } = await (await page.request.get('/api/v1/agents')).json();
  const agentId: string = items[0].id;
  const shown = await page.request.get(`/api/v1/agents/${agentId}/token`);
  expect(shown.status()).toBe(200);
  expect(copied).toBe((await shown.json()).token);
  expect(copied).toMatch(/^opa_/);

  // The real agent with that token: the row turns Online, with version and host, without a reload.
  await page.evaluate(() => {
    (window as unknown as { samePage: boolean }).samePage = true;
  });
  const version = execFileSync(process.execPath, [AGENT_BUNDLE, 'version'], { encoding: 'utf8' }).trim();
  let agent: RunningAgent | undefined;
  try {
    agent = await startAgent(copied);
    await expect(row).toHaveAttribute('data-status', 'online');
    await expect(row.getByText('Online', { exact: true })).toBeVisible();
    await expect(row).toContainText(version);
    await expect(row).toContainText(os.hostname());
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);

    // Actions → Generate token → confirm: a new token is shown; the old one stops working at once.
    await row.getByRole('button', { name: `Actions for ${AGENT_NAME}` }).click();
    await page.getByRole('menuitem', { name: 'Generate token' }).click();
    const confirm = page.getByRole('dialog', { name: 'Generate a new token?' });
    await expect(confirm).toContainText(
      'The old token stops working immediately: the agent using it is disconnected and must be given the new one.',
    );
    await confirm.getByRole('button', { name: 'Generate token' }).click();
    const generated = page.getByRole('dialog', { name: 'New token generated' });
    await expect(generated).toContainText('outpost-agent token set');
    await generated.getByRole('button', { name: 'Copy' }).click();
    await expect(generated.getByText('Copied')).toBeVisible();
    const renewed = await readClipboard(page);
    expect(renewed).toMatch(/^opa_/);
    expect(renewed).not.toBe(copied);
    await generated.getByRole('button', { name: 'Done' }).click();
    await expect(row.locator('code')).toContainText(renewed);

    expect(await connectStatus(copied)).toBe(401);
    expect(await connectStatus(renewed)).toBe(426);
    const running = agent;
    await expect.poll(() => running.exitCode(), { timeout: 5_000 }).toBe(3);
    expect(running.output()).toContain('token revoked');
    await expect(row).toHaveAttribute('data-status', 'offline');
    await expect(row).toContainText('Offline, last seen');
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
  } finally {
    await agent?.stop();
  }

  // Actions → Delete, confirmed by name.
  await row.getByRole('button', { name: `Actions for ${AGENT_NAME}` }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const remove = page.getByRole('dialog', { name: 'Delete agent?' });
  await expect(remove).toContainText(AGENT_NAME);
  await remove.getByRole('button', { name: 'Delete agent' }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'No agents yet' })).toBeVisible();
});

test('a MONITOR member sees the agents with no Token column, no Actions and no + Create agent', async ({
  page,
  context,
}) => {
  const owner = await signUpOverHttp({ accountName: 'Acme Integrations' });
  const member = await signInAsMember(owner.api, 'MONITOR');
  try {
    const created = await owner.api.post('/v1/agents', {
      data: { name: AGENT_NAME, description: AGENT_DESCRIPTION },
    });
    expect(created.status()).toBe(201);
    expect((await (await member.api.get('/v1/me')).json()).role).toBe('MONITOR');
    await useSessionOf(member.api, context);

    await page.goto('/production/resources/agents');
    const row = page.getByTestId(`agent-${AGENT_NAME}`);
    await expect(row).toContainText('Awaiting setup');
    const table = page.getByRole('table', { name: 'Agents' });
    await expect(table.getByRole('columnheader', { name: 'Install' })).toBeVisible();
    await expect(table.getByRole('columnheader', { name: 'Token' })).toHaveCount(0);
    await expect(table.getByRole('columnheader', { name: 'Actions' })).toHaveCount(0);
    await expect(row.getByRole('button', { name: 'Show token' })).toHaveCount(0);
    await expect(row.getByRole('button', { name: /^Actions for/ })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Create agent' })).toHaveCount(0);
    await expect(row.getByRole('button', { name: `Download for ${AGENT_NAME}` })).toBeVisible();

    const { id } = await created.json();
    expect((await page.request.get(`/api/v1/agents/${id}/token`)).status()).toBe(403);
  } finally {
    await member.api.dispose();
    await owner.api.dispose();
  }
});
