import { randomUUID } from 'node:crypto';
import type { Database } from '@outpost/db/client';
import type { ScriptLimits } from '@outpost/sandbox';
import type { FastifyBaseLogger } from 'fastify';
import type { ConnectionDeps } from '../connections/service.ts';
import { beat, claimRun } from './claim.ts';
import { CANCELLED, ENDED, LOST, STOPPED } from './interrupt.ts';
import { executeRun, type RunOutcome } from './run-execution.ts';
import type { RunLogLimits } from './run-log.ts';
import { queueScheduledRuns } from './scheduler.ts';

/** Counts for /metrics: runs that ended, by status, and runs running on this instance. */
export interface FlowRunMetrics {
  runEnded(status: 'succeeded' | 'failed' | 'cancelled'): void;
  running(count: number): void;
}

export interface FlowRunnerOptions {
  db: Database;
  log: FastifyBaseLogger;
  /** What reads and writes go through: the connections' database, secrets, hub and guard. */
  connections: ConnectionDeps;
  /** Runs this instance runs at once. */
  concurrency?: number;
  /** Who this instance is in `FlowRun.claimedBy`; random by default. */
  instanceId?: string;
  /** How often to look for queued runs besides `wake()`. */
  pollMs?: number;
  heartbeatMs?: number;
  /** A RUNNING run without a heartbeat for this long is taken over. */
  staleAfterMs?: number;
  /** How often the scheduler queues the runs of flows that are due. */
  scheduleEveryMs?: number;
  /** How long a page is retried after transport failures (agent offline…) before the run fails. */
  retryWindowMs?: number;
  progressEveryMs?: number;
  readAhead?: boolean;
  logLimits?: RunLogLimits;
  scriptLimits?: Partial<ScriptLimits>;
  metrics?: FlowRunMetrics;
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs queued flow runs page by page (export → scripts → imports), resumes runs whose instance
 * stopped, and queues scheduled runs. The REST routes only write rows and call `wake()` /
 * `cancel()`; the runner does the rest. Several API instances share the work through the
 * database: a run is claimed with FOR UPDATE SKIP LOCKED and kept with a heartbeat.
 */
export class FlowRunner {
  readonly instanceId: string;
  private readonly active = new Map<string, ActiveRun>();
  private readonly timers: NodeJS.Timeout[] = [];
  private running = false;
  private claiming: Promise<void> | null = null;
  private claimAgain = false;
  private scheduling: Promise<void> | null = null;

  constructor(readonly options: FlowRunnerOptions) {
    this.instanceId = options.instanceId ?? `api-${randomUUID()}`;
  }

  /** Starts claiming queued runs and the scheduler. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(task, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.pollMs ?? 2_000, () => this.wake());
    every(this.options.heartbeatMs ?? 5_000, () => void this.heartbeat());
    every(this.options.scheduleEveryMs ?? 15_000, () => this.schedule());
    this.schedule();
    this.wake();
  }

  /**
   * Stops claiming; runs in flight stop where they are, stay RUNNING and are resumed by whichever
   * instance claims them next (this one, after a restart).
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled([this.claiming, this.scheduling]);
    for (const run of this.active.values()) run.controller.abort(STOPPED);
    await Promise.allSettled([...this.active.values()].map((run) => run.done));
  }

  /** A run was queued: look for work now rather than at the next poll. */
  wake(): void {
    if (!this.running) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claim().finally(() => {
      this.claiming = null;
    });
  }

  /** A cancel was requested (the row already says so): stop the run if this instance runs it. */
  cancel(runId: string): void {
    this.active.get(runId)?.controller.abort(CANCELLED);
  }

  /** Runs in flight on this instance. */
  get runningCount(): number {
    return this.active.size;
  }

  private async claim(): Promise<void> {
    const concurrency = this.options.concurrency ?? 4;
    do {
      this.claimAgain = false;
      while (this.running && this.active.size < concurrency) {
        let claimed: Awaited<ReturnType<typeof claimRun>>;
        try {
          claimed = await claimRun(this.options.db, this.instanceId, this.options.staleAfterMs ?? 30_000, [
            ...this.active.keys(),
          ]);
        } catch (error) {
          this.options.log.error({ err: error }, 'claiming a flow run failed');
          return;
        }
        if (!claimed) break;
        this.launch(claimed);
      }
    } while (this.claimAgain && this.running);
  }

  private launch(claimed: NonNullable<Awaited<ReturnType<typeof claimRun>>>): void {
    const controller = new AbortController();
    if (!this.running) controller.abort(STOPPED);
    const environment = {
      db: this.options.db,
      appLog: this.options.log,
      connections: this.options.connections,
      instanceId: this.instanceId,
      retryWindowMs: this.options.retryWindowMs ?? 10 * 60_000,
      progressEveryMs: this.options.progressEveryMs ?? 10_000,
      readAhead: this.options.readAhead ?? true,
      ...(this.options.logLimits ? { logLimits: this.options.logLimits } : {}),
      ...(this.options.scriptLimits ? { scriptLimits: this.options.scriptLimits } : {}),
    };
    const done = executeRun(environment, claimed, controller.signal)
      .then((outcome) => this.count(outcome))
      .catch((error: unknown) => {
        // The run's row could not be written (database away): it stays RUNNING, its heartbeat
        // stops, and it is taken over once stale.
        this.options.log.error({ err: error, runId: claimed.id }, 'flow run stopped unexpectedly');
      })
      .finally(() => {
        controller.abort(ENDED);
        this.active.delete(claimed.id);
        this.options.metrics?.running(this.active.size);
        this.wake();
      });
    this.active.set(claimed.id, { controller, done });
    this.options.metrics?.running(this.active.size);
  }

  private count(outcome: RunOutcome): void {
    if (outcome === 'succeeded' || outcome === 'failed' || outcome === 'cancelled')
      this.options.metrics?.runEnded(outcome);
  }

  /** Keeps this instance's runs alive; stops the ones cancelled elsewhere or taken over. */
  private async heartbeat(): Promise<void> {
    const ids = [...this.active.keys()];
    if (ids.length === 0) return;
    try {
      const alive = new Map(
        (await beat(this.options.db, this.instanceId, ids)).map((row) => [row.id, row.cancelRequested]),
      );
      for (const id of ids) {
        const run = this.active.get(id);
        if (!run) continue;
        const cancelRequested = alive.get(id);
        if (cancelRequested === undefined) run.controller.abort(LOST);
        else if (cancelRequested) run.controller.abort(CANCELLED);
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'flow run heartbeat failed');
    }
  }

  private schedule(): void {
    if (!this.running || this.scheduling) return;
    this.scheduling = queueScheduledRuns(this.options.db, this.options.log)
      .then((queued) => {
        if (queued > 0) this.wake();
      })
      .catch((error: unknown) =>
        this.options.log.error({ err: error }, 'queueing scheduled flow runs failed'),
      )
      .finally(() => {
        this.scheduling = null;
      });
  }
}
