import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, runAgent } from '../../agent/test/hub/agent-process.ts';
import { api, type Instance, startInstance, until } from './scale-out/cluster.ts';
import { setUpTenant } from './scale-out/tenant.ts';
import { startTarget, type Target } from './support/target.ts';

// One API process without Redis: SIGTERM still drains (goaway, requests in flight finish) and
// stops cleanly.
let database: TestDatabase;
let target: Target;
let api1: Instance;
let agent: AgentProcess;
let apiToken: string;
let connectionId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  target = await startTarget();
  api1 = await startInstance('single', {
    databaseUrl: database.url,
    prefix: 'unused:',
    env: { REDIS_URL: '', OUTPOST_REDIS_PREFIX: '', OUTPOST_DRAIN_GRACE_MS: '5000' },
  });
  ({ apiToken } = await setUpTenant(api1.url));
  const created = await api<{ id: string }>(api1.url, apiToken, 'POST', '/v1/agents', { name: 'vm' });
  const { json } = await api<{ token: string }>(
    api1.url,
    apiToken,
    'GET',
    `/v1/agents/${created.json.id}/token`,
  );
  agent = await runAgent(api1.url, json.token);
  await until(
    async () =>
      (await api<{ status: string }>(api1.url, apiToken, 'GET', `/v1/agents/${created.json.id}`)).json
        .status === 'online',
    'the agent to connect',
  );
  const connection = await api<{ id: string }>(api1.url, apiToken, 'POST', '/v1/connections', {
    name: 'target',
    type: 'HTTP',
    mode: 'ON_PREMISE',
    agentId: created.json.id,
    http: { baseUri: `${target.url}/` },
  });
  connectionId = connection.json.id;
});

afterAll(async () => {
  await agent?.stop();
  await api1?.stop();
  await target?.close();
  await database?.drop();
});

describe('a single instance without Redis', () => {
  it('on SIGTERM tells its agent to reconnect, finishes the request in flight, and exits 0', async () => {
    expect((await fetch(`${api1.url}/metrics`)).status).toBe(200);
    const inFlight = fetch(`${api1.url}/v1/connections/${connectionId}/http`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: '/slow?ms=1500' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    api1.child.kill('SIGTERM');
    // While it drains, load balancers are told to stop sending (the request in flight still runs).
    await until(
      async () => (await fetch(`${api1.url}/readyz`)).status === 503,
      '/readyz to answer 503 while draining',
    );
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('slow');
    expect(await api1.exited).toBe(0);
    expect(api1.output()).toMatch(/"msg":"stopped"/);
    await until(
      () => /reconnect elsewhere: instance draining/.test(agent.output()),
      'the agent to hear goaway',
    );
  });
});
