import { closeSqlPools } from '@outpost/connectors/sql';
import { createDatabaseClient } from '@outpost/db/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from '../helpers.ts';
import { type FaultAgent, startFaultAgent, waitForAgent } from '../support/fault-agents.ts';
import { gate } from '../support/flow-fixture.ts';
import { type As, getRun, runNow, waitForRun } from '../support/flows.ts';
import { waitFor } from '../support/private-network.ts';
import { expectExactlyOnce, logOf, type SqlFlow, startSqlFlow } from '../support/sql-flow.ts';

// Fault 1 (docs/RELIABILITY.md): the agent is SIGKILLed while it holds a sql.batch transaction
// open on the destination (an On-premise SQL import). The killed hub request and the killed run
// through an export are covered by hub.test.ts and flow-runner-private-network.test.ts.
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
    OUTPOST_AGENT_HEARTBEAT_MS: '1000',
    OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  owner = await signUp(t.app);
  agent = await startFaultAgent(as, () => url, 'Warehouse agent');
  await waitForAgent(as, agent, 'online');
  flow = await startSqlFlow(as, { agentId: agent.id, agentSide: 'import', rows: ROWS, pageSize: PAGE });
});

afterAll(async () => {
  await agent?.stop();
  await flow?.close();
  await t?.close();
  await closeSqlPools();
});

describe('fault: the agent killed while a SQL import batch is open', () => {
  it('leaves no half-written batch, and the run completes with each row once after the agent is back', async () => {
    const runId = await runNow(as, flow.flowId);
    await waitForRun(as, runId, { until: (run) => run.pagesDone >= 2 });
    // Hold the destination table: the agent's next batch opens its transaction, records its key
    // and then waits on its INSERT (on the table lock its parse takes), inside the open transaction.
    const blocker = createDatabaseClient({ url: flow.destination.url, poolSize: 1 });
    const release = gate();
    const locked = gate();
    const holding = blocker.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe('LOCK TABLE received IN EXCLUSIVE MODE');
        locked.open();
        await release.opened;
      },
      { timeout: 60_000 },
    );
    try {
      await locked.opened;
      const waitingOnLock = () =>
        flow.destinationSql.$queryRawUnsafe<{ pid: number }[]>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
      let waiting: number | null = null;
      await waitFor(async () => {
        waiting = (await waitingOnLock())[0]?.pid ?? null;
        return waiting !== null;
      }, 'the agent batch to wait on the table');
      const inFlight = (await getRun(as, runId)).pagesDone + 1;
      const killedAt = Date.now();
      await agent.kill();
      const offlineAfter = await waitForAgent(as, agent, 'offline');
      release.open();
      await holding;
      // Its backend finishes the INSERT, finds the client gone and rolls the transaction back.
      await waitFor(async () => {
        const rows = await flow.destinationSql.$queryRawUnsafe<unknown[]>(
          'SELECT 1 FROM pg_stat_activity WHERE pid = $1',
          waiting,
        );
        return rows.length === 0;
      }, 'the killed agent backend to end');
      const whileDown = await getRun(as, runId);
      expect(whileDown.status).toBe('running');
      expect(whileDown.pagesDone).toBe(inFlight - 1);
      // Nothing of the batch in flight: only whole committed pages.
      expect(await flow.tally()).toEqual({ total: (inFlight - 1) * PAGE, distinct: (inFlight - 1) * PAGE });

      await agent.restart();
      const onlineAfter = await waitForAgent(as, agent, 'online');
      const run = await waitForRun(as, runId, { timeoutMs: 60_000 });
      console.log(
        `[fault: agent killed mid-batch] page ${inFlight} in flight; agent offline ${offlineAfter} ms after SIGKILL; ` +
          `online ${onlineAfter} ms after restart; run done ${Date.now() - killedAt} ms after the kill`,
      );
      await expectExactlyOnce(flow, run);
      expect(logOf(run)).toMatch(/Agent "Warehouse agent" is offline; retrying page \d+ in \d+ s/);
    } finally {
      release.open();
      await holding.catch(() => {});
      await blocker.$disconnect();
    }
  }, 90_000);
});
