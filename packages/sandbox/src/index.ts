// @outpost/sandbox: runs a flow's Script (a `transform(record)` or `filter(record)` function) in
// QuickJS compiled to WebAssembly, inside a worker thread, with CPU-time and memory limits.
export { checkScript } from './check.ts';
export type { SandboxOptions } from './sandbox-worker.ts';
export {
  DEFAULT_SCRIPT_LIMITS,
  type RecordOutcome,
  type ScriptCheck,
  ScriptError,
  type ScriptErrorCode,
  type ScriptKind,
  type ScriptLimits,
  type ScriptLogLine,
} from './script.ts';
export { type ScriptRun, startScript } from './start.ts';
