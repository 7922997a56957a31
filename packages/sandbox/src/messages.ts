// What the host and the sandbox worker say to each other. Records cross as structured-clone copies of
// JSON values and enter the VM as JSON text, so no host object is ever reachable from a script.
import type { RecordOutcome, ScriptErrorCode, ScriptKind, ScriptLimits, ScriptLogLine } from './script.ts';

export type ToWorker =
  | { type: 'start'; source: string; kind: ScriptKind; limits: ScriptLimits }
  | { type: 'run'; records: unknown[] };

export interface StartFailure {
  code: ScriptErrorCode;
  message: string;
  line: number | null;
  column: number | null;
}

export type FromWorker =
  | { type: 'started' }
  | { type: 'start-failed'; failure: StartFailure }
  | { type: 'ran'; outcomes: RecordOutcome[]; logs: ScriptLogLine[]; droppedLogs: number };

/** workerData: `progress` is shared memory the worker ticks after each record so the host can tell a wedged worker. */
export interface SandboxWorkerData {
  progress: SharedArrayBuffer;
}

/** Slots of the shared progress array. */
export const PROGRESS_RECORD = 0;
export const PROGRESS_TICKS = 1;

/** Console lines kept between two takeLogs() calls, and the length of one line. */
export const MAX_LOG_LINES = 1000;
export const MAX_LOG_LENGTH = 2000;
