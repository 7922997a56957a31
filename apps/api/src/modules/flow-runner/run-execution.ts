import type { Database } from '@outpost/db/client';
import type { ScriptLimits } from '@outpost/sandbox';
import type { FastifyBaseLogger } from 'fastify';
import { isDatabaseUnavailable } from '../../lib/database-errors.ts';
import type { ConnectionDeps } from '../connections/service.ts';
import type { ConnectionWithAgent } from '../connections/settings.ts';
import type { ClaimedRun } from './claim.ts';
import { largerKey, type RunCursor, runCursorOf } from './cursor.ts';
import { type ExportPage, readExportPage } from './exports/index.ts';
import { type FlowDefinition, type ImportDefinition, loadConnection, loadFlow } from './flow-definition.ts';
import { writeImportPage } from './imports/index.ts';
import { CANCELLED, interruptOf, LOST, RunInterrupt, sleep, untilAborted } from './interrupt.ts';
import { commitPage, type PageCounts } from './page-commit.ts';
import type { PageRecord, RecordFailure } from './page-records.ts';
import { RunLog, type RunLogLimits } from './run-log.ts';
import { ScriptStartFailure, ScriptSteps } from './script-steps.ts';
import { describeTransportFailure, isTransportFailure, retryDelayMs } from './transport.ts';

/** What a run needs from the runner that runs it. */
export interface RunEnvironment {
  db: Database;
  appLog: FastifyBaseLogger;
  connections: ConnectionDeps;
  instanceId: string;
  /** How long a page is retried after transport failures before the run fails. */
  retryWindowMs: number;
  /** How often the run's log says how far it got. */
  progressEveryMs: number;
  /** Read the next page while the current one goes through scripts and imports. */
  readAhead: boolean;
  logLimits?: RunLogLimits;
  scriptLimits?: Partial<ScriptLimits>;
}

export type RunOutcome = 'succeeded' | 'failed' | 'cancelled' | 'stopped' | 'lost';

/** A run gives up: it fails with this message. */
class RunFailure extends Error {
  override readonly name = 'RunFailure';
}

/** Errors whose message is meant for the run's reader as it is; anything else is unexpected. */
const EXPECTED_FAILURES = new Set([
  'RunFailure',
  'ScriptStartFailure',
  'ExportFailure',
  'ImportFailure',
  'ConnectionFailure',
  'HubError',
]);

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

const count = (value: number) => value.toLocaleString('en-US');

/** Runs one claimed run to its end (or until it is interrupted) and says how it ended. */
export function executeRun(env: RunEnvironment, run: ClaimedRun, signal: AbortSignal): Promise<RunOutcome> {
  return new RunExecution(env, run, signal).execute();
}

/**
 * Page after page from where the run is (`pagesDone`, `cursor`): read a page (retried on
 * transport failures), run the scripts, write the survivors to every import (each retried the
 * same way, with the key run + page so a retried write is not written twice), then commit the
 * page in one transaction. One page is in memory at a time, plus at most the next one read ahead.
 */
class RunExecution {
  private log!: RunLog;
  private page: number;
  private cursor: RunCursor;
  private readonly totals: PageCounts;
  private lastProgressAt = Date.now();
  private readonly agentNames = new Map<string, string | null>();

  constructor(
    private readonly env: RunEnvironment,
    private readonly run: ClaimedRun,
    private readonly signal: AbortSignal,
  ) {
    this.page = run.pagesDone + 1;
    this.cursor = runCursorOf(run.cursor) ?? { next: null, from: null, lastValue: null };
    this.totals = { read: run.recordsRead, written: run.recordsWritten, failed: run.recordsFailed };
  }

  async execute(): Promise<RunOutcome> {
    this.log = await RunLog.open(this.env.db, this.env.appLog, this.run.id, this.env.logLimits);
    let scripts: ScriptSteps | null = null;
    try {
      if (this.run.cancelRequestedAt) throw CANCELLED;
      const flow = await loadFlow(this.env.db, this.run.flowId);
      if (!flow) throw new RunFailure('The flow was deleted');
      if (this.run.pagesDone === 0) this.cursor.from = flow.export.lastValue;
      await this.logStart(flow);
      scripts = await ScriptSteps.start(flow.scripts, this.env.scriptLimits);
      await this.pages(flow, scripts);
      return 'succeeded';
    } catch (error) {
      return await this.ended(error);
    } finally {
      await scripts?.dispose();
    }
  }

  private async pages(flow: FlowDefinition, scripts: ScriptSteps): Promise<void> {
    let ahead: Promise<Settled<ExportPage>> | null = null;
    for (;;) {
      await this.checkRun();
      const page = this.page;
      const exported = await this.readPage(flow, page, ahead);
      ahead = null;
      const last = exported.next === null || exported.next === undefined;
      if (!last && this.env.readAhead) ahead = settle(this.readOnce(flow, exported.next));

      const { survivors, failures } = await scripts.run(page, exported.records, this.signal);
      await scripts.flushLogs(this.log);
      const written = await this.writePage(flow, page, survivors);
      failures.push(...written.failures);

      const counts: PageCounts = {
        read: exported.records.length,
        written: survivors.length - written.failedIndexes.size,
        failed: new Set(failures.map((failure) => failure.index)).size,
      };
      const cursor: RunCursor = {
        next: last ? null : exported.next,
        from: this.cursor.from,
        lastValue: largerKey(this.cursor.lastValue, exported.lastValue),
      };
      const incremental = flow.export.sql?.incremental === true;
      let attempts = 0;
      await this.withDatabase(page, async () => {
        attempts += 1;
        try {
          await commitPage(this.env.db, {
            runId: this.run.id,
            instanceId: this.env.instanceId,
            page,
            counts,
            failures,
            cursor,
            last,
            ...(last && incremental && cursor.lastValue !== null
              ? { exportLastValue: { exportId: flow.export.id, value: cursor.lastValue } }
              : {}),
          });
        } catch (error) {
          // The connection broke after the COMMIT reached the database: the page is in.
          if (error === LOST && attempts > 1 && (await this.committed(page))) return;
          throw error;
        }
      });
      this.page = page + 1;
      this.cursor = cursor;
      this.totals.read += counts.read;
      this.totals.written += counts.written;
      this.totals.failed += counts.failed;
      if (last) {
        await this.log.info(`Succeeded: ${this.summary()}`);
        return;
      }
      await this.logProgress();
    }
  }

  /** Between pages: stops if another instance was asked to cancel, or the run is no longer ours. */
  private async checkRun(): Promise<void> {
    this.signal.throwIfAborted();
    const row = await this.withDatabase(this.page, () =>
      this.env.db.flowRun.findUnique({
        where: { id: this.run.id },
        select: { status: true, claimedBy: true, cancelRequestedAt: true },
      }),
    );
    if (row?.status !== 'RUNNING' || row.claimedBy !== this.env.instanceId) throw LOST;
    if (row.cancelRequestedAt) throw CANCELLED;
  }

  /** The run, still this instance's, has `page` committed. */
  private async committed(page: number): Promise<boolean> {
    const row = await this.env.db.flowRun.findUnique({
      where: { id: this.run.id },
      select: { status: true, claimedBy: true, pagesDone: true },
    });
    return row?.claimedBy === this.env.instanceId && row.pagesDone === page;
  }

  /**
   * A step on the API's own database, tried again while the database is away (restarting,
   * unreachable) with the same waits as `withRetry`, for at most the retry window. Its log
   * lines can only be written once the database is back: the app log has them meanwhile.
   */
  private async withDatabase<T>(page: number, step: () => Promise<T>): Promise<T> {
    let failedAt: number | null = null;
    for (let tries = 0; ; tries++) {
      try {
        const value = await step();
        if (failedAt !== null)
          await this.log.warn(
            `The API's database was not reachable for ${Math.round((Date.now() - failedAt) / 1000)} s; page ${page} went on`,
          );
        return value;
      } catch (error) {
        this.signal.throwIfAborted();
        if (!isDatabaseUnavailable(error)) throw error;
        failedAt ??= Date.now();
        const wait = retryDelayMs(tries);
        if (Date.now() + wait - failedAt > this.env.retryWindowMs)
          throw new RunFailure(
            `The API's database is not reachable; gave up on page ${page} after retrying for ${Math.round((Date.now() - failedAt) / 1000)} s`,
          );
        this.env.appLog.warn({ runId: this.run.id, page, err: error }, 'database not reachable; retrying');
        await sleep(wait, this.signal);
      }
    }
  }

  private readPage(
    flow: FlowDefinition,
    page: number,
    ahead: Promise<Settled<ExportPage>> | null,
  ): Promise<ExportPage> {
    const next = this.cursor.next;
    return this.withRetry(page, flow.export.connectionId, () => this.readOnce(flow, next), ahead);
  }

  private async readOnce(flow: FlowDefinition, next: unknown): Promise<ExportPage> {
    const connection = await this.connection(flow.export.connectionId);
    return readExportPage(this.env.connections, { export: flow.export, connection }, next ?? null, {
      pageSize: flow.pageSize,
      signal: this.signal,
      ...(flow.export.sql?.incremental ? { incrementalFrom: this.cursor.from } : {}),
    });
  }

  /** Every import gets every record that passed the scripts; a record failing in one still goes to the others. */
  private async writePage(
    flow: FlowDefinition,
    page: number,
    survivors: PageRecord[],
  ): Promise<{ failures: RecordFailure[]; failedIndexes: Set<number> }> {
    const failures: RecordFailure[] = [];
    const failedIndexes = new Set<number>();
    if (survivors.length === 0) return { failures, failedIndexes };
    const records = survivors.map((survivor) => survivor.record);
    for (const target of flow.imports) {
      const result = await this.withRetry(page, target.connectionId, () =>
        this.writeOnce(target, records, page),
      );
      for (const failure of result.failures) {
        const survivor = survivors[failure.index];
        if (!survivor) continue;
        failedIndexes.add(survivor.index);
        failures.push({
          page,
          index: survivor.index,
          stage: 'import',
          step: target.name,
          message: failure.message,
          record: survivor.record,
        });
      }
    }
    return { failures, failedIndexes };
  }

  private async writeOnce(target: ImportDefinition, records: unknown[], page: number) {
    const connection = await this.connection(target.connectionId);
    return writeImportPage(
      this.env.connections,
      { import: target, connection },
      records,
      { runId: this.run.id, page },
      { signal: this.signal },
    );
  }

  private async connection(connectionId: string): Promise<ConnectionWithAgent> {
    const connection = await loadConnection(this.env.db, connectionId);
    this.agentNames.set(
      connectionId,
      connection.mode === 'ON_PREMISE' ? (connection.agent?.name ?? null) : null,
    );
    return connection;
  }

  /**
   * Tries until it works, a failure that is not the transport's, or the retry window is over:
   * waits 1 s, 2 s, 4 s… up to 30 s between tries, and logs each retry. `first` is a try
   * already under way (the page read ahead).
   */
  private async withRetry<T>(
    page: number,
    connectionId: string,
    attempt: () => Promise<T>,
    first: Promise<Settled<T>> | null = null,
  ): Promise<T> {
    let failedAt: number | null = null;
    for (let tries = 0; ; tries++) {
      const outcome = await untilAborted(first ?? settle(attempt()), this.signal);
      first = null;
      if (outcome.ok) return outcome.value;
      const error = outcome.error;
      this.signal.throwIfAborted();
      if (!isTransportFailure(error) && !isDatabaseUnavailable(error)) throw error;
      failedAt ??= Date.now();
      const wait = retryDelayMs(tries);
      const reason = isTransportFailure(error)
        ? describeTransportFailure(error, this.agentNames.get(connectionId) ?? null)
        : "The API's database is not reachable";
      if (Date.now() + wait - failedAt > this.env.retryWindowMs)
        throw new RunFailure(
          `${reason}; gave up on page ${page} after retrying for ${Math.round((Date.now() - failedAt) / 1000)} s`,
        );
      await this.log.warn(`${reason}; retrying page ${page} in ${Math.max(1, Math.round(wait / 1000))} s`);
      await sleep(wait, this.signal);
    }
  }

  private async logStart(flow: FlowDefinition): Promise<void> {
    const steps = [
      `export "${flow.export.name}"`,
      ...flow.scripts.map((script) => `script "${script.name}"`),
      flow.imports.map((target) => `import "${target.name}"`).join(', '),
    ].join(' → ');
    if (this.run.previousStatus === 'RUNNING') {
      const why =
        this.run.previousClaimedBy === null
          ? 'the API instance running it had stopped'
          : 'the API instance running it stopped answering';
      await this.log.info(
        `Resumed at page ${this.page} (${this.run.pagesDone} done before): ${why}. ${steps}, pages of ${flow.pageSize}`,
      );
      return;
    }
    const by = this.run.trigger === 'SCHEDULE' ? 'the schedule' : (this.run.triggeredBy ?? 'a request');
    await this.log.info(`Started by ${by}: ${steps}, pages of ${flow.pageSize}`);
  }

  private async logProgress(): Promise<void> {
    if (Date.now() - this.lastProgressAt < this.env.progressEveryMs) return;
    this.lastProgressAt = Date.now();
    await this.log.info(`Page ${this.page - 1} done: ${this.summary()} so far`);
  }

  private summary(): string {
    const { read, written, failed } = this.totals;
    const pages = this.page - 1;
    const seconds = (Date.now() - this.run.startedAt.getTime()) / 1000;
    return `${count(read)} read, ${count(written)} written, ${count(failed)} failed, ${count(pages)} page${pages === 1 ? '' : 's'} in ${seconds.toFixed(1)} s`;
  }

  /** Writes how the run ended (unless it is no longer this instance's) and says how. */
  private async ended(error: unknown): Promise<RunOutcome> {
    const interrupt = interruptOf(this.signal) ?? (error instanceof RunInterrupt ? error : null);
    const where = { id: this.run.id, claimedBy: this.env.instanceId, status: 'RUNNING' as const };
    const now = new Date();
    switch (interrupt?.why) {
      case 'cancelled':
        await this.log.warn(`Cancelled at page ${this.page}: ${this.summary()}`);
        await this.env.db.flowRun.updateMany({ where, data: { status: 'CANCELLED', finishedAt: now } });
        return 'cancelled';
      case 'stopped':
        await this.log.info(
          `Paused at page ${this.page}: this API instance is stopping; the run goes on when an instance picks it up`,
        );
        await this.env.db.flowRun.updateMany({ where, data: { claimedBy: null, heartbeatAt: null } });
        return 'stopped';
      case 'lost':
      case 'ended':
        this.env.appLog.info({ runId: this.run.id }, 'flow run taken over by another instance');
        return 'lost';
    }
    const message = error instanceof Error ? error.message : String(error);
    const expected =
      error instanceof Error &&
      (EXPECTED_FAILURES.has(error.name) ||
        error instanceof RunFailure ||
        error instanceof ScriptStartFailure);
    if (!expected) this.env.appLog.error({ err: error, runId: this.run.id }, 'flow run failed unexpectedly');
    const shown = expected ? message : `Unexpected error: ${message}`;
    await this.log.error(`Failed at page ${this.page}: ${shown}`);
    await this.env.db.flowRun.updateMany({
      where,
      data: { status: 'FAILED', error: shown, finishedAt: now },
    });
    return 'failed';
  }
}
