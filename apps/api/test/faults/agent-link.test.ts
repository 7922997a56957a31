import { closeSqlPools } from '@outpost/connectors/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from '../helpers.ts';
import { type FaultAgent, startFaultAgent, waitForAgent } from '../support/fault-agents.ts';
import { type FaultyLink, startFaultyLink } from '../support/faulty-link.ts';
import { type As, runNow, waitForRun } from '../support/flows.ts';
import { expectExactlyOnce, type SqlFlow, startSqlFlow } from '../support/sql-flow.ts';

// Fault 3 (docs/RELIABILITY.md): a bad link between the agent and the API. This kernel has no
// netem (see support/faulty-link.ts), so the agent dials a relay that delays, stalls ("loses")
// and blackholes what crosses it.
const HEARTBEAT_MS = 1_000;
/** Each way: 500 ms more on every round trip, as `tc netem delay 500ms` on one end of the link. */
const DELAY_MS = 250;
const LOSS = 0.1;

let t: TestApp;
let owner: SignedUp;
let link: FaultyLink;
let agent: FaultAgent;
const flows: SqlFlow[] = [];
const as: As = (method, path, body) =>
  call(t.app, method, path, { as: { cookie: owner.cookie }, ...(body === undefined ? {} : { body }) });

async function testConnection(connectionId: string): Promise<{ ms: number; body: unknown }> {
  const started = Date.now();
  const response = await as('POST', `/v1/connections/${connectionId}/test`);
  expect(response.statusCode, response.body).toBe(200);
  return { ms: Date.now() - started, body: response.json() };
}

beforeAll(async () => {
  t = await startTestApp({
    OUTPOST_AGENT_HEARTBEAT_MS: String(HEARTBEAT_MS),
    OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  });
  const url = new URL(await t.app.listen({ port: 0, host: '127.0.0.1' }));
  link = await startFaultyLink({ host: url.hostname, port: Number(url.port) });
  owner = await signUp(t.app);
  agent = await startFaultAgent(as, () => link.url, 'Far agent');
  await waitForAgent(as, agent, 'online');
});

afterAll(async () => {
  await agent?.stop();
  await link?.close();
  for (const flow of flows) await flow.close();
  await t?.close();
  await closeSqlPools();
});

describe('fault: a bad link between the agent and the API', () => {
  it(`moves 20,000 rows exactly once with ${2 * DELAY_MS} ms more per round trip and ${LOSS * 100} % of chunks stalled; Test connection answers`, async () => {
    const flow = await startSqlFlow(as, {
      agentId: agent.id,
      agentSide: 'export',
      rows: 20_000,
      pageSize: 2_000,
    });
    flows.push(flow);
    const clean = await testConnection(flow.agentConnectionId);
    link.degrade({ delayMs: DELAY_MS, loss: LOSS, rtoMs: 1_000 });
    try {
      const slow = await testConnection(flow.agentConnectionId);
      expect(slow.body).toMatchObject({ ok: true });
      const started = Date.now();
      const run = await waitForRun(as, await runNow(as, flow.flowId), { timeoutMs: 60_000 });
      console.log(
        `[fault: bad link] Test connection ${clean.ms} ms on a clean link, ${slow.ms} ms degraded; ` +
          `20,000 rows in ${Date.now() - started} ms degraded; connections through the link: ${link.connections()}; ` +
          `run log warnings: ${JSON.stringify(run.logs.filter((line) => line.level !== 'info').map((line) => line.message))}`,
      );
      await expectExactlyOnce(flow, run);
    } finally {
      link.restore();
    }
  }, 90_000);

  it('after a blackhole longer than the heartbeat window the agent reconnects by itself and the run completes exactly once', async () => {
    const flow = await startSqlFlow(as, {
      agentId: agent.id,
      agentSide: 'export',
      rows: 10_000,
      pageSize: 500,
    });
    flows.push(flow);
    const runId = await runNow(as, flow.flowId);
    await waitForRun(as, runId, { until: (run) => run.pagesDone >= 2 });
    const before = link.connections();
    const cutAt = Date.now();
    link.blackhole();
    let restoredAt = 0;
    try {
      const offlineAfter = await waitForAgent(as, agent, 'offline', 20_000);
      const whileCut = await testConnection(flow.agentConnectionId);
      expect(whileCut.body).toMatchObject({ ok: false, code: 'agent_offline' });
      // Longer than the window in which the hub notices a silent agent (about 3 heartbeats).
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, 5 * HEARTBEAT_MS - (Date.now() - cutAt))),
      );
      restoredAt = Date.now();
      link.restore();
      const onlineAfter = await waitForAgent(as, agent, 'online');
      const run = await waitForRun(as, runId, { timeoutMs: 60_000 });
      console.log(
        `[fault: blackhole] offline ${offlineAfter} ms after the cut; cut for ${restoredAt - cutAt} ms; ` +
          `online ${onlineAfter} ms after the link came back; run done ${Date.now() - restoredAt} ms after; ` +
          `new connections ${link.connections() - before}; ` +
          `run log warnings: ${JSON.stringify(run.logs.filter((line) => line.level !== 'info').map((line) => line.message))}`,
      );
      expect(link.connections()).toBeGreaterThan(before);
      await expectExactlyOnce(flow, run);
      expect(run.logs.map((line) => line.message)).toContainEqual(
        expect.stringMatching(
          /^Agent "Far agent" (is offline|did not answer in time); retrying page \d+ in \d+ s$/,
        ),
      );
    } finally {
      link.restore();
    }
  }, 90_000);
});
