// startScript: one worker thread per ScriptRun. Records run in order; a record that fails (throws,
// or hits the CPU or memory limit) fails alone. If the worker itself goes away mid-batch (stopped
// answering, ran out of heap), the record it was on fails, and the rest of the batch runs again in
// a fresh worker (scripts see no outside world, so running a record twice changes nothing).
import { LogBuffer } from './log-buffer.ts';
import type { FromWorker } from './messages.ts';
import { type SandboxOptions, SandboxWorker, WorkerLost } from './sandbox-worker.ts';
import {
  type RecordOutcome,
  resolveLimits,
  ScriptError,
  type ScriptKind,
  type ScriptLimits,
  type ScriptLogLine,
} from './script.ts';

export interface ScriptRun {
  /** Runs the function on each record (JSON values) in order. */
  run(records: unknown[]): Promise<RecordOutcome[]>;
  /** console.log/warn/error lines printed by the script since the last call, capped. */
  takeLogs(): ScriptLogLine[];
  dispose(): Promise<void>;
}

/** Starts a script in its own sandbox; rejects with a ScriptError if it does not compile or start. */
export async function startScript(
  source: string,
  kind: ScriptKind,
  limits?: Partial<ScriptLimits>,
  options: SandboxOptions = {},
): Promise<ScriptRun> {
  const run = new SandboxedScript(source, kind, resolveLimits(limits), options);
  await run.start();
  return run;
}

/** Starts a worker with the script loaded; the caller owns the worker. */
export async function startWorker(
  source: string,
  kind: ScriptKind,
  limits: ScriptLimits,
  options: SandboxOptions = {},
): Promise<SandboxWorker> {
  const worker = new SandboxWorker(limits, options);
  let answer: FromWorker;
  try {
    answer = await worker.request({ type: 'start', source, kind, limits });
  } catch (error) {
    await worker.terminate();
    if (error instanceof WorkerLost) throw new ScriptError(error.code, `${error.message} while starting`);
    throw error;
  }
  if (answer.type === 'start-failed') {
    await worker.terminate();
    const { code, message, line, column } = answer.failure;
    throw new ScriptError(code, message, line, column);
  }
  if (answer.type !== 'started') {
    await worker.terminate();
    throw new Error(`The sandbox answered ${answer.type} to start`);
  }
  return worker;
}

class SandboxedScript implements ScriptRun {
  private worker: SandboxWorker | null = null;
  private readonly logs = new LogBuffer();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly source: string,
    private readonly kind: ScriptKind,
    private readonly limits: ScriptLimits,
    private readonly options: SandboxOptions,
  ) {}

  async start(): Promise<void> {
    this.worker = await startWorker(this.source, this.kind, this.limits, this.options);
  }

  run(records: unknown[]): Promise<RecordOutcome[]> {
    const result = this.queue.then(() => this.runBatch(records));
    this.queue = result.catch(() => undefined);
    return result;
  }

  takeLogs(): ScriptLogLine[] {
    return this.logs.take();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private async runBatch(records: unknown[]): Promise<RecordOutcome[]> {
    if (records.length === 0) return [];
    if (this.disposed) throw new Error('The script run was disposed');
    if (!this.worker?.alive) {
      try {
        this.worker = await startWorker(this.source, this.kind, this.limits, this.options);
      } catch (error) {
        if (!(error instanceof ScriptError)) throw error;
        return records.map(() => ({ ok: false, error: `The script could not restart: ${error.message}` }));
      }
    }
    const worker = this.worker;
    try {
      const answer = await worker.request({ type: 'run', records });
      if (answer.type !== 'ran') throw new Error(`The sandbox answered ${answer.type} to run`);
      this.logs.add(answer.logs, answer.droppedLogs);
      return answer.outcomes;
    } catch (error) {
      if (!(error instanceof WorkerLost) || this.disposed) throw error;
      this.worker = null;
      const at = Math.min(error.recordIndex, records.length - 1);
      const before = await this.runBatch(records.slice(0, at));
      const failed: RecordOutcome = { ok: false, error: error.message };
      const after = await this.runBatch(records.slice(at + 1));
      return [...before, failed, ...after];
    }
  }
}
