import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, runAgent } from '../../agent/test/hub/agent-process.ts';
import { connectLightAgent, type LightAgent } from './light-agent.ts';
import {
  api,
  deleteKeys,
  freePort,
  type Instance,
  requireRedis,
  startInstance,
  testPrefix,
  until,
} from './scale-out/cluster.ts';
import { setUpTenant } from './scale-out/tenant.ts';
import { type Balancer, startBalancer } from './support/balancer.ts';
import { startTarget, type Target } from './support/target.ts';

// Real API processes (the built bundle) on one database and one Redis, behind a load balancer that
// health-checks /readyz: the agents connect through it to A (the only one up at first), then A is
// killed, and later B drains on SIGTERM under a steady load.
const HEARTBEAT_MS = 1_000;
const AGENTS = 3;
const prefix = testPrefix();
let database: TestDatabase;
let target: Target;
let balancer: Balancer;
const ports: number[] = [];
const instances = new Map<string, Instance>();
const agents: AgentProcess[] = [];
let apiToken: string;
const agentIds: string[] = [];
const connectionIds: string[] = [];
let watched: { id: string; light: LightAgent };

const options = () => ({ databaseUrl: database.url, prefix, env: { OUTPOST_DRAIN_GRACE_MS: '10000' } });
const instance = (name: string) => {
  const found = instances.get(name);
  if (!found) throw new Error(`no instance ${name}`);
  return found;
};
async function start(name: string, port: number) {
  instances.set(name, await startInstance(name, options(), port));
}

/** Agents with a live session on an instance, from its /metrics. */
async function connectedOn(name: string): Promise<number> {
  const text = await (await fetch(`${instance(name).url}/metrics`)).text();
  return Number(/^outpost_agents_connected (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** One GET through an agent's connection, issued on `name`; resolves with what went wrong, if anything. */
async function request(name: string, index: number, path: string): Promise<string | null> {
  try {
    const response = await fetch(`${instance(name).url}/v1/connections/${connectionIds[index]}/http`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path }),
    });
    const body = await response.text();
    if (response.status !== 200 || response.headers.get('x-outpost-upstream-status') !== '200')
      return `${name} → agent ${index}: ${response.status} ${body.slice(0, 200)}`;
    return null;
  } catch (error) {
    return `${name} → agent ${index}: ${(error as Error).message}`;
  }
}

/** When a case fails: what the instances and agents said about sessions and errors. */
function printLogs(names: string[]): void {
  const interesting = /agent (connected|disconnected)|draining|drained|"level":[45]/;
  for (const name of names) {
    const lines = instance(name)
      .output()
      .split('\n')
      .filter((line) => interesting.test(line));
    console.log(`instance ${name}:\n${lines.map((line) => line.slice(0, 300)).join('\n')}`);
  }
  for (const [index, agent] of agents.entries())
    console.log(`agent ${index}:\n${agent.output().slice(-1500)}`);
}

async function everyAgentAnswers(names: string[]): Promise<void> {
  for (const name of names)
    for (let index = 0; index < AGENTS; index++)
      expect(await request(name, index, '/bytes?n=1024')).toBeNull();
}

beforeAll(async () => {
  await requireRedis();
  database = await createTestDatabase();
  target = await startTarget();
  for (let index = 0; index < 4; index++) ports.push(await freePort());
  const [portA, portB, portC] = ports as [number, number, number];
  await start('A', portA);
  balancer = await startBalancer(ports);
  ({ apiToken } = await setUpTenant(instance('A').url));
  for (let index = 0; index < AGENTS; index++) {
    const created = await api<{ id: string }>(instance('A').url, apiToken, 'POST', '/v1/agents', {
      name: `vm${index}`,
    });
    const agentId = created.json.id;
    agentIds.push(agentId);
    const { json } = await api<{ token: string }>(
      instance('A').url,
      apiToken,
      'GET',
      `/v1/agents/${agentId}/token`,
    );
    agents.push(await runAgent(balancer.url, json.token));
    const connection = await api<{ id: string }>(instance('A').url, apiToken, 'POST', '/v1/connections', {
      name: `target ${index}`,
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId,
      http: { baseUri: `${target.url}/` },
    });
    connectionIds.push(connection.json.id);
  }
  // One agent that will not come back once A is gone: its presence must expire.
  const created = await api<{ id: string }>(instance('A').url, apiToken, 'POST', '/v1/agents', {
    name: 'watched',
  });
  const { json } = await api<{ token: string }>(
    instance('A').url,
    apiToken,
    'GET',
    `/v1/agents/${created.json.id}/token`,
  );
  const light = await connectLightAgent(balancer.url, json.token);
  await light.welcome();
  watched = { id: created.json.id, light };
  await until(async () => (await connectedOn('A')) === AGENTS + 1, 'every agent to connect to A', 30_000);
  await start('B', portB);
  await start('C', portC);
}, 120_000);

afterAll(async () => {
  watched?.light.socket.terminate();
  for (const agent of agents) await agent.stop();
  for (const running of instances.values()) await running.stop();
  await balancer?.close();
  await target?.close();
  await database?.drop();
  await deleteKeys(prefix);
});

describe('scale-out: an instance dies, another drains', () => {
  it('answers requests issued on B and C through the agents on A', async () => {
    expect(await connectedOn('B')).toBe(0);
    expect(await connectedOn('C')).toBe(0);
    await everyAgentAnswers(['B', 'C']);
  });

  it('after SIGKILL of A: its agents show offline within the heartbeat window, reconnect to B or C, and answer again', async () => {
    const killedAt = Date.now();
    instance('A').child.kill('SIGKILL');
    await instance('A').exited;
    // The light agent does not reconnect: the database shows it offline once A's presence expired
    // (two heartbeats) and a sweep (every half heartbeat) saw it.
    await until(
      async () =>
        (await api<{ status: string }>(instance('B').url, apiToken, 'GET', `/v1/agents/${watched.id}`)).json
          .status === 'offline',
      'the watched agent to show offline',
      10_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(3 * HEARTBEAT_MS + 2_000);
    // The real agents reconnect through the balancer, which now skips A.
    await until(
      async () => (await connectedOn('B')) + (await connectedOn('C')) === AGENTS,
      'the agents to reconnect to B and C',
      30_000,
    );
    // B and C saw that A no longer answers: they took its agents over without waiting for its
    // presence to expire (no agent was refused as a duplicate of its dead session).
    for (const agent of agents) expect(agent.output()).not.toMatch(/4003/);
    for (const agentId of agentIds) {
      const { json } = await api<{ status: string }>(
        instance('C').url,
        apiToken,
        'GET',
        `/v1/agents/${agentId}`,
      );
      expect(json.status).toBe('online');
    }
    await everyAgentAnswers(['B', 'C']);
  });

  it('SIGTERM on the instance holding the most agents (B or C) drains it with no failed request under a steady load', async () => {
    await start('D', ports[3] as number);
    const counts = { B: await connectedOn('B'), C: await connectedOn('C') };
    expect(counts.B + counts.C).toBe(AGENTS);
    const [drained, stays] = counts.B >= counts.C ? (['B', 'C'] as const) : (['C', 'B'] as const);
    const moving = counts[drained];
    const failures: string[] = [];
    let completed = 0;
    let issuers = ['B', 'C', 'D'];
    let running = true;
    const load = Array.from({ length: AGENTS * 2 }, async (_, worker) => {
      const index = worker % AGENTS;
      for (let round = 0; running; round++) {
        const name = issuers[(worker + round) % issuers.length] as string;
        const failure = await request(name, index, round % 3 === 0 ? '/slow?ms=300' : '/bytes?n=65536');
        if (failure) failures.push(`${Date.now()} ${failure}`);
        else completed += 1;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // From now on requests go to the instances that stay (a load balancer stops sending to the
    // drained one once its /readyz says 503); those already in flight there must finish.
    issuers = [stays, 'D'];
    const victim = instance(drained);
    victim.child.kill('SIGTERM');
    const exitCode = await victim.exited;
    if (exitCode !== 0) printLogs([drained]);
    expect(exitCode).toBe(0);
    expect(victim.output()).toMatch(/drained; closing/);
    await until(
      async () => (await connectedOn(stays)) + (await connectedOn('D')) === AGENTS,
      'the agents to move to the other instances',
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    running = false;
    await Promise.all(load);
    if (failures.length > 0) printLogs(['B', 'C', 'D']);
    expect(failures).toEqual([]);
    expect(completed).toBeGreaterThan(20);
    // Each agent that was there was told to go (goaway) before its socket closed.
    const told = agents.filter((agent) => /reconnect elsewhere: instance draining/.test(agent.output()));
    expect(told.length).toBe(moving);
  });
});
