import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentStatus, waitForAgent } from '../support/fault-agents.ts';
import { runNow, waitForRun } from '../support/flows.ts';
import { waitFor } from '../support/private-network.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.ts';
import { type RestartableApi, startRestartableApi } from '../support/restartable-api.ts';
import { expectExactlyOnce, logOf, type SqlFlow, startSqlFlow } from '../support/sql-flow.ts';

// Fault 5 (docs/RELIABILITY.md): the API's own database (a PostgreSQL server of this test's own)
// goes away for a few seconds during a flow run and agent traffic, then comes back: the API
// process stays up and answers 503 meanwhile, the run goes on from the page in flight.
let postgres: PrivatePostgres;
let api: RestartableApi;
let flow: SqlFlow;

const readyz = async () => (await fetch(`${api.url}/readyz`)).status;

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  api = await startRestartableApi({ databaseUrl: postgres.url });
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
  await postgres?.close();
});

describe('fault: the API database restarted', () => {
  it('answers 503 while it is down, stays up, and the run completes exactly once', async () => {
    const { as, agent } = api;
    const runId = await runNow(as, flow.flowId);
    await waitForRun(as, runId, { until: (run) => run.pagesDone >= 5 });
    const stoppedAt = Date.now();
    await postgres.stop();
    const downAfter = Date.now() - stoppedAt;
    try {
      expect(await readyz()).toBe(503);
      const agents = await as('GET', `/v1/agents/${agent.id}`);
      expect(agents.statusCode, agents.body).toBe(503);
      expect(agents.json()).toMatchObject({
        error: { code: 'unavailable', message: 'The database is not reachable; try again in a moment' },
      });
      const tested = await as('POST', `/v1/connections/${flow.agentConnectionId}/test`);
      expect(tested.statusCode, tested.body).toBe(503);
      // The run's page in flight meets the outage: a few seconds of it.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(api.current().child.exitCode).toBeNull();
    } finally {
      await postgres.start();
    }
    const startedAt = Date.now();
    await waitFor(async () => (await readyz()) === 200, '/readyz to answer 200');
    const readyAfter = Date.now() - startedAt;
    const onlineAfter = await waitForAgent(as, agent, 'online');
    const tested = await as('POST', `/v1/connections/${flow.agentConnectionId}/test`);
    expect(tested.json()).toMatchObject({ ok: true });
    const run = await waitForRun(as, runId, { timeoutMs: 60_000 });
    console.log(
      `[fault: database restarted] pg_ctl stop took ${downAfter} ms, down for ${startedAt - stoppedAt} ms; ` +
        `/readyz 200 ${readyAfter} ms after the start; agent online ${onlineAfter} ms after that; ` +
        `run done ${Date.now() - startedAt} ms after the start; agent status now ${await agentStatus(as, agent.id)}; ` +
        `run log warnings: ${JSON.stringify(run.logs.filter((line) => line.level !== 'info').map((line) => line.message))}`,
    );
    // When the run was taken over instead of going on: why its instance let it go.
    if (/Resumed/.test(logOf(run)))
      console.log(
        api
          .current()
          .output()
          .split('\n')
          .filter((line) => /"msg":"(flow run|database not reachable)/.test(line))
          .map((line) => line.slice(0, 800))
          .join('\n'),
      );
    expect(api.current().child.exitCode).toBeNull();
    await expectExactlyOnce(flow, run);
    expect(logOf(run)).not.toMatch(/Resumed/);
  }, 90_000);

  it('survives pg_ctl restart -m fast under agent traffic (Test connection from 4 clients)', async () => {
    const { as, agent } = api;
    const failures: string[] = [];
    let answered = 0;
    let running = true;
    const traffic = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (running) {
          const tested = await as('POST', `/v1/connections/${flow.agentConnectionId}/test`);
          const body = tested.json() as { ok?: boolean; error?: { code: string } };
          if (tested.statusCode === 200 && body.ok) answered += 1;
          else failures.push(`${tested.statusCode} ${tested.body.slice(0, 200)}`);
        }
      }),
    );
    await waitFor(() => answered >= 3, 'Test connection to answer');
    const restartedAt = Date.now();
    await postgres.restart();
    const restartMs = Date.now() - restartedAt;
    await waitFor(async () => (await readyz()) === 200, '/readyz to answer 200');
    const before = answered;
    await waitFor(() => answered >= before + 3, 'Test connection to answer again');
    running = false;
    await traffic;
    console.log(
      `[fault: database restarted under traffic] pg_ctl restart took ${restartMs} ms; ${answered} answered, ` +
        `${failures.length} failed: ${JSON.stringify([...new Set(failures)])}`,
    );
    // What failed during the restart failed as 503 unavailable, never as a crash or a 500.
    for (const failure of failures) expect(failure).toMatch(/^503 .*"code":"unavailable"/);
    expect(await agentStatus(as, agent.id)).toBe('online');
    expect(api.current().child.exitCode).toBeNull();
  }, 60_000);
});
