import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForAgent } from '../support/fault-agents.ts';
import { runNow, waitForRun } from '../support/flows.ts';
import { type RestartableApi, startRestartableApi } from '../support/restartable-api.ts';
import { expectExactlyOnce, logOf, type SqlFlow, startSqlFlow } from '../support/sql-flow.ts';

// Fault 4b (docs/RELIABILITY.md): the API process (the built bundle) is stopped gracefully
// (SIGTERM) mid-run: the runner pauses the run (releases its claim), and the next process
// resumes it at once.
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

describe('fault: the API stopped (SIGTERM) during a flow run', () => {
  it('pauses the run, and the next process resumes it at once and completes it exactly once', async () => {
    const { as, agent } = api;
    const runId = await runNow(as, flow.flowId);
    await waitForRun(as, runId, { until: (run) => run.pagesDone >= 5 });
    const stoppedAt = Date.now();
    const first = api.current();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const exitedAfter = Date.now() - stoppedAt;
    const paused = await api.db.flowRun.findUniqueOrThrow({ where: { id: runId } });
    expect(paused).toMatchObject({ status: 'RUNNING', claimedBy: null });
    await api.start('second');
    const upAfter = Date.now() - stoppedAt;
    const resumed = await waitForRun(as, runId, {
      timeoutMs: 20_000,
      until: (run) => /Resumed at page/.test(logOf(run)),
    });
    const resumedAfter = Date.now() - stoppedAt;
    const run = await waitForRun(as, runId, { timeoutMs: 50_000 });
    await waitForAgent(as, agent, 'online');
    const onlineBy = Date.now() - stoppedAt;
    console.log(
      `[fault: API SIGTERM] paused at page ${paused.pagesDone}; the process exited ${exitedAfter} ms after SIGTERM; ` +
        `ready again after ${upAfter} ms; run resumed after ${resumedAfter} ms; done after ${Date.now() - stoppedAt} ms; ` +
        `agent online by ${onlineBy} ms; ` +
        `log: ${JSON.stringify(resumed.logs.filter((line) => /Paused|Resumed/.test(line.message)).map((line) => line.message))}`,
    );
    expect(logOf(run)).toMatch(/Paused at page \d+: this API instance is stopping/);
    expect(logOf(run)).toMatch(
      /Resumed at page \d+ \(\d+ done before\): the API instance running it had stopped/,
    );
    await expectExactlyOnce(flow, run);
  }, 90_000);
});
