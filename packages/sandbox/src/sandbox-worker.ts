// The host's handle on one sandbox worker thread: sends it a message, waits for the answer, and
// terminates it when it stops answering (no progress for longer than the CPU limit allows) or when
// asked to. Worker resourceLimits are a second fence around the VM's own memory limit.
import { Worker } from 'node:worker_threads';
import {
  type FromWorker,
  PROGRESS_RECORD,
  PROGRESS_TICKS,
  type SandboxWorkerData,
  type ToWorker,
} from './messages.ts';
import type { ScriptLimits } from './script.ts';
import { sandboxWorkerFile } from './worker-file.ts';

/** Why a worker went away in the middle of a request. */
export class WorkerLost extends Error {
  constructor(
    message: string,
    /** Index of the record the worker was on when it went away. */
    public readonly recordIndex: number,
  ) {
    super(message);
  }
}

const WATCHDOG_EVERY_MS = 100;

export interface SandboxOptions {
  /**
   * How long a worker may go without finishing a record before it is terminated. Default: twice the
   * CPU limit (a record, then the restart of the runtime after a limit hit) plus 5 s.
   */
  stallMs?: number;
}

export class SandboxWorker {
  private readonly worker: Worker;
  private readonly progress = new Int32Array(new SharedArrayBuffer(8));
  private pending: { resolve: (message: FromWorker) => void; reject: (error: Error) => void } | null = null;
  private exitReason: string | null = null;
  private readonly exited: Promise<void>;

  private readonly stallMs: number;

  constructor(limits: ScriptLimits, options: SandboxOptions = {}) {
    this.stallMs = options.stallMs ?? limits.cpuMsPerRecord * 2 + 5000;
    const workerData: SandboxWorkerData = { progress: this.progress.buffer as SharedArrayBuffer };
    this.worker = new Worker(sandboxWorkerFile(), {
      workerData,
      // The VM's heap lives in WebAssembly memory (bounded by the script's memory limit); the JS
      // heap holds a batch of records and their results.
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 8 },
    });
    // An idle worker never keeps the process alive; a pending request does (the watchdog's timer).
    this.worker.unref();
    this.worker.on('message', (message: FromWorker) => {
      const pending = this.pending;
      this.pending = null;
      pending?.resolve(message);
    });
    this.worker.on('error', (error: Error & { code?: string }) => {
      this.exitReason ??=
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'The sandbox ran out of memory'
          : `The sandbox failed (${error.message})`;
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        this.exitReason ??= 'The sandbox stopped';
        const pending = this.pending;
        this.pending = null;
        pending?.reject(new WorkerLost(this.exitReason, Atomics.load(this.progress, PROGRESS_RECORD)));
        resolve();
      });
    });
  }

  /** Sends one message and waits for its answer; rejects with WorkerLost if the worker goes away first. */
  request(message: ToWorker): Promise<FromWorker> {
    if (this.exitReason) {
      return Promise.reject(new WorkerLost(this.exitReason, 0));
    }
    if (this.pending) return Promise.reject(new Error('The sandbox is busy'));
    Atomics.store(this.progress, PROGRESS_RECORD, 0);
    return new Promise<FromWorker>((resolve, reject) => {
      const watchdog = this.watch();
      this.pending = {
        resolve: (answer) => {
          clearInterval(watchdog);
          resolve(answer);
        },
        reject: (error) => {
          clearInterval(watchdog);
          reject(error);
        },
      };
      this.worker.postMessage(message);
    });
  }

  async terminate(reason = 'The script run was disposed'): Promise<void> {
    this.exitReason ??= reason;
    await this.worker.terminate();
    await this.exited;
  }

  /**
   * The VM interrupts a record at its CPU limit, but one long built-in call (a sort of a million
   * strings) runs to its end: a worker whose progress counter has not moved for stallMs is wedged,
   * and is terminated.
   */
  private watch(): NodeJS.Timeout {
    const stallMs = this.stallMs;
    let ticks = Atomics.load(this.progress, PROGRESS_TICKS);
    let since = Date.now();
    return setInterval(() => {
      const now = Atomics.load(this.progress, PROGRESS_TICKS);
      if (now !== ticks) {
        ticks = now;
        since = Date.now();
      } else if (Date.now() - since > stallMs) {
        void this.terminate(`The script stopped answering for ${stallMs} ms and was stopped`);
      }
    }, WATCHDOG_EVERY_MS);
  }
}
