import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIRequestContext } from '@playwright/test';
import { type RunningAgent, signInAsMember, startAgent, useSessionOf } from '../agent-fixtures.ts';
import { expect, signUpOverHttp, test } from '../fixtures.ts';

const AGENT_NAME = 'Warehouse network';
const CONNECTION_NAME = 'ERP on VM2';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/**
 * The system inside the "private network": an HTTP server on loopback, which the agent (same
 * machine) reaches and Outpost's cloud may not (its SSRF guard refuses 127.0.0.1).
 */
/** Listens on a free loopback port; `close` also ends kept-alive connections. */
async function listenOnLoopback(server: Server) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function startLoopbackServer() {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"ok"}');
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  const { origin, close } = await listenOnLoopback(server);
  return { baseUri: origin, requests, close };
}

/**
 * An OAuth 2.0 authorization server and an API it protects, on loopback like the system above:
 * `/authorize` signs the person in at once and sends the browser back with a code, `/token`
 * exchanges the code (reached by the agent only), `/api/health` wants the token it issued.
 */
async function startLoopbackAuthorizationServer() {
  const exchanges: URLSearchParams[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', 'code-from-the-intranet');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      response.writeHead(302, { location: back.href });
      response.end();
    } else if (url.pathname === '/token' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        const form = new URLSearchParams(body);
        exchanges.push(form);
        const valid =
          form.get('grant_type') === 'authorization_code' && form.get('code') === 'code-from-the-intranet';
        response.writeHead(valid ? 200 : 400, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
        });
        response.end(
          JSON.stringify(
            valid
              ? {
                  access_token: 'intranet-token',
                  token_type: 'Bearer',
                  expires_in: 3600,
                  refresh_token: 'refresh',
                }
              : { error: 'invalid_grant' },
          ),
        );
      });
    } else if (url.pathname === '/api/health') {
      const allowed = request.headers.authorization === 'Bearer intranet-token';
      response.writeHead(allowed ? 200 : 401);
      response.end();
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  const { origin, close } = await listenOnLoopback(server);
  return {
    origin,
    exchanges,
    close,
  };
}

/** Creates an agent over HTTP, as an owner would in the UI, and answers its id and token. */
async function createAgent(api: APIRequestContext) {
  const created = await api.post('/v1/agents', {
    data: { name: AGENT_NAME, description: 'The ERP API on VM2' },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const shown = await api.get(`/v1/agents/${id}/token`);
  expect(shown.status()).toBe(200);
  return { id, token: ((await shown.json()) as { token: string }).token };
}

test('an On-premise HTTP connection through a real agent: Test connection succeeds, fails with the agent offline, and Cloud refuses the private address', async ({
  page,
  context,
}) => {
  const owner = await signUpOverHttp({ accountName: 'Acme Integrations' });
  const loopback = await startLoopbackServer();
  let agent: RunningAgent | undefined;
  try {
    const { token } = await createAgent(owner.api);
    agent = await startAgent(token);
    await useSessionOf(owner.api, context);

    // Resources → Connections: nothing yet, and the Cloud / On-premise choice explained.
    await page.goto('/production/resources/agents');
    await expect(page.getByTestId(`agent-${AGENT_NAME}`)).toHaveAttribute('data-status', 'online');
    await page.getByRole('navigation').getByRole('link', { name: 'Connections' }).click();
    await expect(page.getByRole('heading', { name: 'No connections yet' })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Where a connection runs' })).toContainText('On-premise');
    await page.getByRole('link', { name: 'Create connection' }).click();

    // Type HTTP and Mode Cloud are the defaults.
    const form = page.getByRole('form', { name: 'New connection' });
    await expect(form.getByRole('radio', { name: 'HTTP' })).toBeChecked();
    await expect(form.getByRole('radio', { name: 'Cloud' })).toBeChecked();
    await expect(form.getByRole('combobox', { name: 'Agent' })).toHaveCount(0);
    await form.getByLabel('Name').fill(CONNECTION_NAME);

    // Mode On-premise → the Agent drop-down lists this environment's agent, Online.
    await form.getByRole('radio', { name: 'On-premise' }).check();
    const agentPicker = page.getByRole('combobox', { name: 'Agent' });
    await agentPicker.click();
    const option = page
      .getByRole('listbox', { name: 'Agents' })
      .getByRole('option', { name: /Warehouse network/ });
    await expect(option).toContainText('Online');
    await option.click();
    await expect(agentPicker).toContainText(AGENT_NAME);
    await expect(agentPicker).toContainText('Online');

    // Base URI as the agent sees it: the same machine.
    // After the first save the form is the connection's own (its name changes): page-wide locators.
    const baseUri = page.getByLabel('Base URI');
    await expect(baseUri).toHaveAccessibleDescription(/Same server as the agent: localhost or 127\.0\.0\.1/);
    await baseUri.fill(loopback.baseUri);
    await form.getByLabel('Test path').fill('/health');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText(`${CONNECTION_NAME} was saved`)).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/production/resources/connections/${UUID.source}$`));
    await expect(page.getByRole('heading', { level: 1, name: CONNECTION_NAME })).toBeVisible();

    // Test connection runs through the agent, which reaches the loopback server.
    const result = page.getByTestId('connection-test-result');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(result).toContainText('Connection successful');
    await expect(result).toContainText(`through ${AGENT_NAME}`);
    await expect(result).toContainText('answered 200');
    expect(loopback.requests).toContain('GET /health');

    // The agent stops (SIGTERM, by pid): the picker says Offline live, and Test says why it fails.
    await agent.stop();
    agent = undefined;
    await expect(agentPicker).toContainText('Offline');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(result).toContainText('Agent offline');
    await expect(result).toContainText('agent_offline');
    await expect(result).toContainText(`The agent "${AGENT_NAME}" is offline`);

    // Mode Cloud: the form warns while typing, and the API refuses the private address.
    await page.getByRole('radio', { name: 'Cloud' }).check();
    await expect(page.getByTestId('private-address-warning')).toContainText('127.0.0.1 is a private address');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(result).toContainText('Blocked: private address — choose On-premise');
    await expect(result).toContainText('set the connection');
    await expect(baseUri).toHaveAccessibleDescription(/inside a private network.*Mode to On-premise/);
    // The way out: On-premise again, with the agent it had.
    await result.getByRole('button', { name: 'Use On-premise' }).click();
    await expect(page.getByRole('radio', { name: 'On-premise' })).toBeChecked();
    await expect(agentPicker).toContainText(AGENT_NAME);
    await expect(page.getByText('All changes saved.')).toBeVisible();

    // The list: mode, agent and its status, live; the agent comes back Online without a reload.
    await page.getByRole('link', { name: 'Back to connections' }).click();
    const row = page.getByTestId(`connection-${CONNECTION_NAME}`);
    await expect(row).toContainText('HTTP');
    await expect(row).toContainText('On-premise');
    await expect(row).toContainText(loopback.baseUri);
    await expect(row).toHaveAttribute('data-agent-status', 'offline');
    agent = await startAgent(token);
    await expect(row).toHaveAttribute('data-agent-status', 'online');
    await expect(row).toContainText(`${AGENT_NAME}Online`);

    // Actions → Test connection, from the list.
    await row.getByRole('button', { name: `Actions for ${CONNECTION_NAME}` }).click();
    await page.getByRole('menuitem', { name: 'Test connection' }).click();
    const testDialog = page.getByRole('dialog', { name: `Test connection: ${CONNECTION_NAME}` });
    await expect(testDialog.getByTestId('connection-test-result')).toContainText('Connection successful');
    await testDialog.getByRole('button', { name: 'Done' }).click();

    // Actions → Delete, confirmed.
    await row.getByRole('button', { name: `Actions for ${CONNECTION_NAME}` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete connection?' });
    await confirm.getByRole('button', { name: 'Delete connection' }).click();
    await expect(row).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'No connections yet' })).toBeVisible();
  } finally {
    await agent?.stop();
    await loopback.close();
    await owner.api.dispose();
  }
});

test('OAuth 2.0 authorization code On-premise: Connect signs in at a private authorization server, the agent exchanges the code, and Test connection uses the token', async ({
  page,
  context,
}) => {
  const owner = await signUpOverHttp({ accountName: 'Acme Integrations' });
  const intranet = await startLoopbackAuthorizationServer();
  let agent: RunningAgent | undefined;
  try {
    const { token } = await createAgent(owner.api);
    agent = await startAgent(token);
    await useSessionOf(owner.api, context);

    await page.goto('/production/resources/connections/new');
    await page.getByLabel('Name').fill('Intranet API');
    await page.getByRole('radio', { name: 'On-premise' }).check();
    // The agent drop-down by keyboard: ArrowDown opens it on the first agent, Enter picks it.
    const agentPicker = page.getByRole('combobox', { name: 'Agent' });
    // Opened while the agents are still loading, the list would have nothing to pick.
    await expect(agentPicker).toContainText('Choose an agent');
    await agentPicker.focus();
    await page.keyboard.press('ArrowDown');
    await expect(
      page.getByRole('listbox', { name: 'Agents' }).getByRole('option', { name: new RegExp(AGENT_NAME) }),
    ).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('listbox', { name: 'Agents' })).toHaveCount(0);
    await expect(agentPicker).toContainText(AGENT_NAME);
    await expect(agentPicker).toBeFocused();
    await page.getByLabel('Base URI').fill(`${intranet.origin}/api`);
    await page.getByLabel('Test path').fill('/health');
    await page.getByLabel('Authentication', { exact: true }).selectOption('oauth2_authorization_code');
    await page.getByLabel('Authorize URL').fill(`${intranet.origin}/authorize`);
    await page.getByLabel('Token URL').fill(`${intranet.origin}/token`);
    await page.getByLabel('Client ID').fill('outpost');
    await page.getByLabel('Client secret').fill('s3cret');
    const connect = page.getByTestId('oauth-connect');
    await expect(connect).toContainText('Not connected');

    // Connect saves, goes to the authorization server, and comes back to this connection.
    await connect.getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Outpost now holds a token' })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/production/resources/connections/${UUID.source}$`));
    await expect(connect).toContainText('Connected');
    await expect(connect).not.toContainText('Not connected');
    expect(intranet.exchanges).toHaveLength(1);
    expect(intranet.exchanges[0]?.get('code_verifier')).toBeTruthy();
    // The secret is write-only now.
    await expect(page.getByLabel('Client secret')).toHaveAttribute(
      'placeholder',
      '•••••• (set) — leave blank to keep',
    );

    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('connection-test-result')).toContainText('Connection successful');
  } finally {
    await agent?.stop();
    await intranet.close();
    await owner.api.dispose();
  }
});

test('a MONITOR member sees connections read-only', async ({ page, context }) => {
  const owner = await signUpOverHttp({ accountName: 'Acme Integrations' });
  const member = await signInAsMember(owner.api, 'MONITOR');
  try {
    const created = await owner.api.post('/v1/connections', {
      data: {
        name: 'Billing API',
        type: 'HTTP',
        http: { baseUri: 'https://billing.example.com', auth: { type: 'bearer', token: 'not-for-monitors' } },
      },
    });
    expect(created.status()).toBe(201);
    await useSessionOf(member.api, context);

    await page.goto('/production/resources/connections');
    const row = page.getByTestId('connection-Billing API');
    await expect(row).toContainText('Cloud');
    await expect(row).toContainText('https://billing.example.com');
    await expect(page.getByRole('link', { name: 'Create connection' })).toHaveCount(0);
    await expect(row.getByRole('button', { name: /^Actions for/ })).toHaveCount(0);

    await row.getByRole('link', { name: 'Billing API' }).click();
    await expect(page.getByText('You can view this connection.')).toBeVisible();
    await expect(page.getByLabel('Base URI')).toBeDisabled();
    await expect(page.getByLabel('Token', { exact: true })).toHaveAttribute(
      'placeholder',
      '•••••• (set) — leave blank to keep',
    );
    await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Test connection' })).toHaveCount(0);
  } finally {
    await member.api.dispose();
    await owner.api.dispose();
  }
});
