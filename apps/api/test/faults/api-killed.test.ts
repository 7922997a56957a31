import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForAgent } from '../support/fault-agents.ts';
import { runNow, waitForRun } from '../support/flows.ts';
import { type RestartableApi, startRestartableApi } from '../support/restartable-api.ts';
import { expectExactlyOnce, logOf, type SqlFlow, startSqlFlow } from '../support/sql-flow.ts';

// Fault 4a (docs/RELIABILITY.md): the API process (the built bundle) is SIGKILLed mid-run and
// started again on the same database and port. Its run keeps the dead process's claim until the
// heartbeat is stale (30 s), then the new process takes it over from its last committed page.
let api: RestartableApi;
let flow: SqlFlow;

beforeAll(async () => {
  api = await startRestartableApi();
  flow = await startSqlFlow(api.as, {
    agentId: api.agent.id,
    agentSide: 'export',
    rows: 30_000,
    pageSize: 500,
  });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await flow?.close();
});

describe('fault: the API killed (SIGKILL) during a flow run', () => {
  it('the restarted process takes the run over once its heartbeat is stale and completes it exactly once; the agent comes back by itself', async () => {
    const { as, agent } = api;
    const runId = await runNow(as, flow.flowId);
    await waitForRun(as, runId, { until: (run) => run.pagesDone >= 5 });
    const killedAt = Date.now();
    const first = api.current();
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await api.db.flowRun.findUniqueOrThrow({ where: { id: runId } });
    expect(atKill.status).toBe('RUNNING');
    await api.start('second');
    const upAfter = Date.now() - killedAt;
    const onlineAfter = (await waitForAgent(as, agent, 'online', 40_000)) + upAfter;
    const resumed = await waitForRun(as, runId, {
      timeoutMs: 50_000,
      until: (run) => /Resumed at page/.test(logOf(run)),
    });
    const resumedAfter = Date.now() - killedAt;
    const run = await waitForRun(as, runId, { timeoutMs: 50_000 });
    console.log(
      `[fault: API SIGKILL] killed at page ${atKill.pagesDone}; API ready again ${upAfter} ms after the kill; ` +
        `agent online after ${onlineAfter} ms; run resumed after ${resumedAfter} ms; done after ${Date.now() - killedAt} ms; ` +
        `log: ${JSON.stringify(resumed.logs.filter((line) => /Resumed/.test(line.message)).map((line) => line.message))}`,
    );
    expect(logOf(run)).toMatch(
      /Resumed at page \d+ \(\d+ done before\): the API instance running it stopped answering/,
    );
    await expectExactlyOnce(flow, run);
  }, 100_000);
});
