import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, runAgent } from '../../../agent/test/hub/agent-process.ts';
import { connectLightAgent } from '../light-agent.ts';
import { api, type Instance, startInstance, testPrefix, until } from '../scale-out/cluster.ts';
import { setUpTenant } from '../scale-out/tenant.ts';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis.ts';
import { startTarget, type Target } from '../support/target.ts';

// Fault 6 (docs/RELIABILITY.md): two real API processes share a redis-server of this test's own,
// which is killed and started again (empty) while an agent is connected to A and requests for it
// are issued on B. What the scale-out tests already cover is not repeated here: an instance's
// event-bus subscription cut (scale-out-routing.test.ts) and /readyz with Redis unreachable.
let redis: PrivateRedis;
let database: TestDatabase;
let target: Target;
let agent: AgentProcess;
const instances: Instance[] = [];
let apiToken: string;
let agentId: string;
let connectionId: string;
const A = () => instances[0] as Instance;
const B = () => instances[1] as Instance;

/** One GET through the agent (connected to A), issued on `on`: its HTTP status and error code. */
async function request(on: Instance): Promise<{ status: number; code: string | null }> {
  const response = await fetch(`${on.url}/v1/connections/${connectionId}/http`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'GET', path: '/bytes?n=1024' }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = await response.text();
  if (response.status === 200) return { status: 200, code: null };
  return {
    status: response.status,
    code: (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? body,
  };
}
const readyz = async (on: Instance) => (await fetch(`${on.url}/readyz`)).status;
const statusOn = async (on: Instance) =>
  (await api<{ status: string }>(on.url, apiToken, 'GET', `/v1/agents/${agentId}`)).json.status;

beforeAll(async () => {
  redis = await startPrivateRedis();
  database = await createTestDatabase();
  target = await startTarget();
  const prefix = testPrefix();
  for (const name of ['A', 'B'])
    instances.push(
      await startInstance(name, { databaseUrl: database.url, prefix, env: { REDIS_URL: redis.url } }),
    );
  ({ apiToken } = await setUpTenant(A().url));
  agentId = (await api<{ id: string }>(A().url, apiToken, 'POST', '/v1/agents', { name: 'vm1' })).json.id;
  const { json } = await api<{ token: string }>(A().url, apiToken, 'GET', `/v1/agents/${agentId}/token`);
  agent = await runAgent(A().url, json.token);
  await until(async () => (await statusOn(B())) === 'online', 'the agent to show online on B', 30_000);
  const connection = await api<{ id: string }>(B().url, apiToken, 'POST', '/v1/connections', {
    name: 'target',
    type: 'HTTP',
    mode: 'ON_PREMISE',
    agentId,
    http: { baseUri: `${target.url}/` },
  });
  expect(connection.status).toBe(201);
  connectionId = connection.json.id;
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  for (const instance of instances) await instance.stop();
  await target?.close();
  await database?.drop();
  await redis?.close();
});

describe('fault: Redis restarted under two API instances', () => {
  it('requests routed across instances fail with a typed error while it is down, then work again; presence and revocations recover', async () => {
    expect(await request(B())).toEqual({ status: 200, code: null });
    const killedAt = Date.now();
    await redis.kill();
    await until(async () => (await readyz(B())) === 503, '/readyz on B to answer 503');
    const gapStarted = Date.now();
    const gap = [await request(B()), await request(B()), await request(A())];
    const gapMs = Math.round((Date.now() - gapStarted) / gap.length);
    const processesUp = instances.every((instance) => instance.child.exitCode === null);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await redis.start();
    const startedAt = Date.now();
    await until(
      async () => (await readyz(A())) === 200 && (await readyz(B())) === 200,
      '/readyz 200 on A and B',
      30_000,
    );
    const readyAfter = Date.now() - startedAt;
    await until(
      async () => (await request(B())).status === 200,
      'a request on B to reach the agent again',
      30_000,
    );
    const routedAfter = Date.now() - startedAt;
    await until(async () => (await statusOn(B())) === 'online', 'the agent to show online on B', 30_000);
    const onlineAfter = Date.now() - startedAt;

    // A revocation published on B after Redis came back still cuts the session on A.
    const created = await api<{ id: string }>(A().url, apiToken, 'POST', '/v1/agents', { name: 'revoked' });
    const token = (
      await api<{ token: string }>(A().url, apiToken, 'GET', `/v1/agents/${created.json.id}/token`)
    ).json.token;
    const light = await connectLightAgent(A().url, token);
    await light.welcome();
    const regeneratedAt = Date.now();
    expect((await api(B().url, apiToken, 'POST', `/v1/agents/${created.json.id}/token`)).status).toBe(200);
    const closed = await light.closed;
    const cutAfter = Date.now() - regeneratedAt;
    console.log(
      `[fault: Redis restarted] down for ${startedAt - killedAt} ms; during the gap: ${JSON.stringify(gap)}, ${gapMs} ms each; ` +
        `/readyz 200 on both ${readyAfter} ms after the start; a request on B reached the agent on A after ${routedAfter} ms; ` +
        `agent online on B after ${onlineAfter} ms; a token regenerated on B cut the session on A in ${cutAfter} ms`,
    );
    if (gap.some((answer) => answer.status === 500))
      for (const instance of instances)
        console.log(
          instance.name,
          instance
            .output()
            .split('\n')
            .filter((line) => /"level":50/.test(line))
            .slice(0, 3)
            .join('\n')
            .slice(0, 3000),
        );
    expect(processesUp).toBe(true);
    // Clean, typed answers while Redis is away, on B and on A (which holds the agent): never a
    // 500, never a hang.
    expect(gap).toEqual(Array(3).fill({ status: 503, code: 'unavailable' }));
    expect(closed.code).toBe(CloseCode.TOKEN_REVOKED);
    expect(cutAfter).toBeLessThan(5_000);
    expect(instances.every((instance) => instance.child.exitCode === null)).toBe(true);
  }, 90_000);
});
