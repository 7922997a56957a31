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
import type { ScriptErrorCode, ScriptLimits } from './script.ts';
import { sandboxWorkerFile } from './worker-file.ts';

/** Why a worker went away in the middle of a request. */
export class WorkerLost extends Error {
  constructor(
    message: string,
    /** What stopped it, in ScriptError's words. */
    public readonly code: ScriptErrorCode,
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
   * CPU limit (a record, then the restart of the runtime after a limit hit) plus 5 s. Starting (the
   * thread, the engine, the top-level code) gets the CPU limit plus 10 s, however busy the machine.
   */
  stallMs?: number;
}

interface Pending {
  resolve: (message: FromWorker) => void;
  reject: (error: Error) => void;
}

export class SandboxWorker {
  private readonly worker: Worker;
  private readonly progress = new Int32Array(new SharedArrayBuffer(8));
  private readonly stallMs: number;
  private readonly startStallMs: number;
  private pending: Pending | null = null;
  private exit: { reason: string; code: ScriptErrorCode } | null = null;
  private readonly exited: Promise<void>;

  constructor(limits: ScriptLimits, options: SandboxOptions = {}) {
    this.stallMs = options.stallMs ?? limits.cpuMsPerRecord * 2 + 5000;
    this.startStallMs = limits.cpuMsPerRecord + 10_000;
    const workerData: SandboxWorkerData = { progress: this.progress.buffer as SharedArrayBuffer };
    this.worker = new Worker(sandboxWorkerFile(), {
      workerData,
      // The VM's heap lives in WebAssembly memory (bounded by the script's memory limit); the JS
      // heap holds a batch of records and their results.
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 8 },
    });
    // An idle worker never keeps the process alive; a pending request does (the watchdog's timer).
    this.worker.unref();
    this.worker.on('message', (message: FromWorker) => this.settle()?.resolve(message));
    this.worker.on('error', (error: Error & { code?: string }) => {
      this.exit ??=
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { reason: 'The sandbox ran out of memory', code: 'memory_limit' }
          : { reason: `The sandbox failed (${error.message})`, code: 'script_error' };
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        this.exit ??= { reason: 'The sandbox stopped', code: 'script_error' };
        this.settle()?.reject(this.lost());
        resolve();
      });
    });
  }

  /** Whether the worker can still take a request. */
  get alive(): boolean {
    return this.exit === null;
  }

  /** Sends one message and waits for its answer; rejects with WorkerLost if the worker goes away first. */
  request(message: ToWorker): Promise<FromWorker> {
    if (this.exit) return Promise.reject(this.lost());
    if (this.pending) return Promise.reject(new Error('The sandbox is busy'));
    Atomics.store(this.progress, PROGRESS_RECORD, 0);
    return new Promise<FromWorker>((resolve, reject) => {
      const watchdog = this.watch(message.type === 'start' ? this.startStallMs : this.stallMs);
      const done = () => clearInterval(watchdog);
      this.pending = {
        resolve: (answer) => {
          done();
          resolve(answer);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      try {
        this.worker.postMessage(message);
      } catch (error) {
        // A record that cannot be copied (a function, a symbol…): nothing was sent.
        this.settle()?.reject(error as Error);
      }
    });
  }

  async terminate(reason = 'The script run was disposed'): Promise<void> {
    this.exit ??= { reason, code: 'script_error' };
    await this.worker.terminate();
    await this.exited;
  }

  private settle(): Pending | null {
    const pending = this.pending;
    this.pending = null;
    return pending;
  }

  private lost(): WorkerLost {
    const { reason, code } = this.exit ?? { reason: 'The sandbox stopped', code: 'script_error' };
    return new WorkerLost(reason, code, Atomics.load(this.progress, PROGRESS_RECORD));
  }

  /**
   * The VM interrupts a record at its CPU limit, but one long built-in call (a sort of a million
   * strings) runs to its end: a worker whose progress counter has not moved for stallMs is wedged,
   * and is terminated.
   */
  private watch(stallMs: number): NodeJS.Timeout {
    let ticks = Atomics.load(this.progress, PROGRESS_TICKS);
    let since = Date.now();
    return setInterval(() => {
      const now = Atomics.load(this.progress, PROGRESS_TICKS);
      if (now !== ticks) {
        ticks = now;
        since = Date.now();
      } else if (Date.now() - since > stallMs) {
        this.exit ??= {
          reason: `The script stopped answering for ${stallMs} ms and was stopped`,
          code: 'cpu_limit',
        };
        void this.terminate();
      }
    }, WATCHDOG_EVERY_MS);
  }
}
