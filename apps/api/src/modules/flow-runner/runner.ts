import type { Database } from '@outpost/db/client';
import type { FastifyBaseLogger } from 'fastify';

export interface FlowRunnerOptions {
  db: Database;
  log: FastifyBaseLogger;
}

/**
 * Runs queued flow runs page by page (export → scripts → imports), resumes runs whose instance
 * stopped, and queues scheduled runs. The REST routes only write rows and call `wake()` /
 * `cancel()`; the runner does the rest.
 */
export class FlowRunner {
  constructor(readonly options: FlowRunnerOptions) {}

  /** Starts claiming queued runs and the scheduler. */
  start(): void {}

  /** Stops claiming; runs in flight stop after their current page and are resumed later. */
  async stop(): Promise<void> {}

  /** A run was queued: look for work now rather than at the next poll. */
  wake(): void {}

  /** A cancel was requested (the row already says so): stop the run if this instance runs it. */
  cancel(_runId: string): void {}
}
