import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlowRunner, type FlowRunnerOptions } from '../src/modules/flow-runner/runner.ts';
import { exactlyOnce } from './support/flow-destination.ts';
import { type FlowFixture, gate, startFlowFixture } from './support/flow-fixture.ts';
import { runNow, waitForRun } from './support/flows.ts';

/**
 * Flow runners as API instances: several sharing one database, one stopping and starting again,
 * and pages retried while a destination is down. The app's own runner is stopped: the runners
 * here are the instances, built as app.ts builds its own.
 */

let f: FlowFixture;
const runners: FlowRunner[] = [];

function instance(name: string, options: Partial<FlowRunnerOptions> = {}): FlowRunner {
  const runner = new FlowRunner({
    db: f.t.db,
    log: f.t.app.log,
    connections: f.connectionDeps(),
    instanceId: name,
    pollMs: 100,
    ...options,
  });
  runners.push(runner);
  runner.start();
  return runner;
}

beforeAll(async () => {
  f = await startFlowFixture();
  await f.t.app.flowRunner.stop();
});
afterAll(async () => {
  await f?.close();
});
beforeEach(() => f.destination.reset());
afterEach(async () => {
  f.destination.before = null;
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

/** The page of an import request's Idempotency-Key (outpost:run:import:page:batch). */
const page = (key: string) => Number(key.split(':')[3]);

describe('several API instances', () => {
  it('share the queue: each takes runs up to its concurrency, and every run runs once', async () => {
    const a = instance('api-a', { concurrency: 2 });
    const b = instance('api-b', { concurrency: 2 });
    const held = gate();
    f.destination.before = () => held.opened;
    const runIds: string[] = [];
    for (let n = 0; n < 6; n++) runIds.push(await runNow(f.as, await f.flow({ pageSize: 500 })));

    const running = async () =>
      f.t.db.flowRun.findMany({
        where: { id: { in: runIds }, status: 'RUNNING' },
        select: { claimedBy: true },
      });
    await expect.poll(async () => (await running()).length, { timeout: 10_000 }).toBe(4);
    const claimedBy = (await running()).map((run) => run.claimedBy).sort();
    expect(claimedBy).toEqual(['api-a', 'api-a', 'api-b', 'api-b']);
    expect([a.runningCount, b.runningCount]).toEqual([2, 2]);
    expect(await f.t.db.flowRun.count({ where: { id: { in: runIds }, status: 'QUEUED' } })).toBe(2);

    held.open();
    for (const runId of runIds) {
      const run = await waitForRun(f.as, runId);
      expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 2500, failed: 0 } });
      const starts = run.logs.filter((line) => /^(Started|Resumed)/.test(line.message));
      expect(starts).toHaveLength(1);
    }
  });
});

describe('an instance that stops', () => {
  it('leaves its run RUNNING, released, and goes on with it from the page it was on when it starts again', async () => {
    const runner = instance('api-restarting');
    const held = gate();
    f.destination.before = (key) => (page(key) === 3 ? held.opened : undefined);
    const runId = await runNow(f.as, await f.flow({ pageSize: 500 }));
    await expect
      .poll(() => [...f.destination.deliveries.keys()].some((key) => page(key) === 3), { timeout: 10_000 })
      .toBe(true);

    await runner.stop();
    const paused = await f.t.db.flowRun.findUniqueOrThrow({ where: { id: runId } });
    expect(paused).toMatchObject({ status: 'RUNNING', pagesDone: 2, claimedBy: null, heartbeatAt: null });
    expect(paused.finishedAt).toBeNull();
    held.open();

    runner.start();
    const run = await waitForRun(f.as, runId);
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 2500, failed: 0 } });
    expect(exactlyOnce(f.destination, 1, 2500)).toEqual({ once: 2500, missing: 0, duplicated: 0 });
    const messages = run.logs.map((line) => line.message);
    expect(messages).toContainEqual(
      expect.stringMatching(/^Paused at page 3: this API instance is stopping/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^Resumed at page 3 \(2 done before\): the API instance running it had stopped/),
    );
    // Pages 1 and 2 were written once and not sent again.
    for (const [key, times] of f.destination.deliveries) if (page(key) < 3) expect(times).toBe(1);
  });
});

describe('a destination that is down', () => {
  it('has the page retried, each retry in the log, until it answers again', async () => {
    instance('api-retrying');
    let refusals = 0;
    f.destination.before = (key) => {
      if (page(key) === 2 && refusals < 6) {
        refusals += 1;
        throw new Error('down');
      }
    };
    const run = await waitForRun(f.as, await runNow(f.as, await f.flow({ pageSize: 1000 })), {
      timeoutMs: 30_000,
    });
    expect(run).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 2500, failed: 0 } });
    expect(exactlyOnce(f.destination, 1, 2500)).toEqual({ once: 2500, missing: 0, duplicated: 0 });
    expect(run.logs.map((line) => line.message)).toContainEqual(
      expect.stringMatching(
        /^POST \/orders answered 503: try again later \(after 4 tries\); retrying page 2 in \d+ s$/,
      ),
    );
  }, 40_000);

  it('fails the run with the destination’s answer once the retry window is over', async () => {
    instance('api-giving-up', { retryWindowMs: 3_000 });
    f.destination.before = () => {
      throw new Error('down');
    };
    const run = await waitForRun(f.as, await runNow(f.as, await f.flow()), { timeoutMs: 30_000 });
    expect(run).toMatchObject({ status: 'failed', pagesDone: 0, counts: { read: 0, written: 0, failed: 0 } });
    expect(run.error).toMatch(
      /^POST \/orders answered 503: try again later \(after 4 tries\); gave up on page 1 after retrying for \d+ s$/,
    );
    expect(run.logs.map((line) => line.level)).toEqual(['info', 'warn', 'error']);
  }, 40_000);
});
