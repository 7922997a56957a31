// Entry of the sandbox worker thread (built to dist/sandbox-worker.cjs): one script per worker. It
// answers `start` once, then each `run` with one outcome per record, ticking the shared progress
// counter after every record so the host can tell a worker that stopped answering.
import { parentPort, workerData } from 'node:worker_threads';
import {
  type FromWorker,
  MAX_LOG_LINES,
  PROGRESS_RECORD,
  PROGRESS_TICKS,
  type SandboxWorkerData,
  type StartFailure,
  type ToWorker,
} from '../messages.ts';
import type { RecordOutcome, ScriptLogLine } from '../script.ts';
import { ScriptEngine } from './engine.ts';

const port = parentPort;
if (!port) throw new Error('The sandbox worker must run in a worker thread');
const progress = new Int32Array((workerData as SandboxWorkerData).progress);

let engine: ScriptEngine | null = null;
let logs: ScriptLogLine[] = [];
let droppedLogs = 0;

function log(line: ScriptLogLine): void {
  if (logs.length < MAX_LOG_LINES) logs.push(line);
  else droppedLogs++;
}

function send(message: FromWorker): void {
  port?.postMessage(message);
}

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const started = await ScriptEngine.start(message.source, message.kind, message.limits, log).catch(
    (error: Error) => ({ failure: engineFailure(error) }),
  );
  if ('failure' in started) send({ type: 'start-failed', failure: started.failure });
  else {
    engine = started.engine;
    send({ type: 'started' });
  }
}

/** The engine itself failed to set up (a memory limit too small for QuickJS's own start, for one). */
function engineFailure(error: Error): StartFailure {
  const outOfMemory = /out of memory/i.test(error.message);
  return {
    code: outOfMemory ? 'memory_limit' : 'script_error',
    message: outOfMemory
      ? 'The memory limit is too small to start the script'
      : `The sandbox failed: ${error.message}`,
    line: null,
    column: null,
  };
}

async function run(records: unknown[]): Promise<void> {
  const outcomes: RecordOutcome[] = [];
  for (let index = 0; index < records.length; index++) {
    Atomics.store(progress, PROGRESS_RECORD, index);
    const outcome = runOne(records[index]);
    outcomes.push(outcome instanceof Promise ? await outcome : outcome);
    Atomics.add(progress, PROGRESS_TICKS, 1);
  }
  send({ type: 'ran', outcomes, logs, droppedLogs });
  logs = [];
  droppedLogs = 0;
}

function runOne(record: unknown): Promise<RecordOutcome> | RecordOutcome {
  if (!engine) return { ok: false, error: 'The script is not started' };
  let json: string | undefined;
  try {
    json = JSON.stringify(record);
  } catch (error) {
    return { ok: false, error: `The record is not JSON (${(error as Error).message})` };
  }
  return engine.runRecord(json ?? 'null');
}

// Messages are handled one after the other: the host sends the next only after the answer.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() => (message.type === 'start' ? start(message) : run(message.records)));
});
