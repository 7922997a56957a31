import { closeSqlPools } from '@outpost/connectors/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from '../helpers.ts';
import { agentStatus, type FaultAgent, startFaultAgent, waitForAgent } from '../support/fault-agents.ts';
import { type As, getRun, runNow, waitForRun } from '../support/flows.ts';
import { waitFor } from '../support/private-network.ts';
import { expectExactlyOnce, logOf, type SqlFlow, startSqlFlow } from '../support/sql-flow.ts';

// Fault 2 (docs/RELIABILITY.md): the agent is paused (SIGSTOP) mid-run. Its socket stays open
// but nothing answers: a half-open link. The hub must notice within its heartbeat window, the
// run must retry, and after SIGCONT the agent reconnects and the run completes exactly once.
const HEARTBEAT_MS = 1_000;
const ROWS = 20_000;
const PAGE = 1_000;

let t: TestApp;
let owner: SignedUp;
let url = '';
let agent: FaultAgent;
let flow: SqlFlow;
const as: As = (method, path, body) =>
  call(t.app, method, path, { as: { cookie: owner.cookie }, ...(body === undefined ? {} : { body }) });

beforeAll(async () => {
  t = await startTestApp({
    OUTPOST_AGENT_HEARTBEAT_MS: String(HEARTBEAT_MS),
    OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  owner = await signUp(t.app);
  agent = await startFaultAgent(as, () => url, 'Paused agent');
  await waitForAgent(as, agent, 'online');
  flow = await startSqlFlow(as, { agentId: agent.id, agentSide: 'export', rows: ROWS, pageSize: PAGE });
});

afterAll(async () => {
  await agent?.stop();
  await flow?.close();
  await t?.close();
  await closeSqlPools();
});

describe('fault: the agent paused (SIGSTOP) during a flow run', () => {
  it('shows offline within the heartbeat window, the run retries, and after SIGCONT it completes exactly once', async () => {
    const runId = await runNow(as, flow.flowId);
    await waitForRun(as, runId, { until: (run) => run.pagesDone >= 2 });
    const pid = agent.process().child.pid as number;
    const pausedAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    try {
      const offlineAfter = await waitForAgent(as, agent, 'offline', 20_000);
      // About three heartbeats; generous for a loaded machine.
      expect(offlineAfter).toBeLessThan(6 * HEARTBEAT_MS + 2_000);
      // Test connection answers at once, with the agent named, instead of hanging.
      const testedAt = Date.now();
      const tested = await as('POST', `/v1/connections/${flow.agentConnectionId}/test`);
      const testMs = Date.now() - testedAt;
      expect(tested.statusCode, tested.body).toBe(200);
      expect(tested.json()).toMatchObject({ ok: false });
      await waitFor(
        async () => /retrying page \d+/.test(logOf(await getRun(as, runId))),
        'the run to log a retry',
      );
      const whileStopped = await getRun(as, runId);
      expect(whileStopped.status).toBe('running');
      const stoppedFor = Date.now() - pausedAt;
      process.kill(pid, 'SIGCONT');
      const resumedAt = Date.now();
      const onlineAfter = await waitForAgent(as, agent, 'online');
      const run = await waitForRun(as, runId, { timeoutMs: 60_000 });
      console.log(
        `[fault: agent paused] offline ${offlineAfter} ms after SIGSTOP (heartbeat ${HEARTBEAT_MS} ms); ` +
          `Test connection answered in ${testMs} ms: ${JSON.stringify(tested.json())}; ` +
          `stopped for ${stoppedFor} ms; online ${onlineAfter} ms after SIGCONT; run done ${Date.now() - resumedAt} ms after SIGCONT; ` +
          `retries logged: ${JSON.stringify(whileStopped.logs.filter((line) => line.level === 'warn').map((line) => line.message))}`,
      );
      await expectExactlyOnce(flow, run);
      expect(await agentStatus(as, agent.id)).toBe('online');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }, 90_000);
});
