// The public shapes of a Script: its kind, its limits, the answer of a check and of one record.

export type ScriptKind = 'transform' | 'filter';

export interface ScriptLimits {
  /** CPU time a call of the script's function may take on one record (also the limit of the top-level code). */
  cpuMsPerRecord: number;
  /** Memory the script's runtime may allocate. */
  memoryBytes: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { cpuMsPerRecord: 1000, memoryBytes: 64 * 1024 * 1024 };

export type ScriptCheck =
  | { ok: true }
  | { ok: false; message: string; line: number | null; column: number | null };

export type RecordOutcome =
  /** transform: the returned record (undefined/null → null: the record is dropped); filter: whether to keep it. */
  { ok: true; value: unknown } | { ok: false; error: string };

export interface ScriptLogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type ScriptErrorCode =
  | 'syntax_error'
  | 'missing_function'
  | 'cpu_limit'
  | 'memory_limit'
  /** The top-level code threw. */
  | 'script_error';

/** Why a script could not start; `line`/`column` are 1-based in the user's source when known. */
export class ScriptError extends Error {
  override name = 'ScriptError';
  constructor(
    public code: ScriptErrorCode,
    message: string,
    public line: number | null = null,
    public column: number | null = null,
  ) {
    super(message);
  }
}

/** The smallest memory limit QuickJS can start a script in with room to spare. */
export const MIN_MEMORY_BYTES = 1024 * 1024;

/** The defaults filled in; a limit out of range is a RangeError naming it. */
export function resolveLimits(limits: Partial<ScriptLimits> = {}): ScriptLimits {
  const resolved = {
    cpuMsPerRecord: limits.cpuMsPerRecord ?? DEFAULT_SCRIPT_LIMITS.cpuMsPerRecord,
    memoryBytes: limits.memoryBytes ?? DEFAULT_SCRIPT_LIMITS.memoryBytes,
  };
  if (!Number.isFinite(resolved.cpuMsPerRecord) || resolved.cpuMsPerRecord < 1) {
    throw new RangeError(
      `cpuMsPerRecord must be a number of milliseconds ≥ 1 (got ${resolved.cpuMsPerRecord})`,
    );
  }
  if (!Number.isFinite(resolved.memoryBytes) || resolved.memoryBytes < MIN_MEMORY_BYTES) {
    throw new RangeError(`memoryBytes must be at least ${MIN_MEMORY_BYTES} (got ${resolved.memoryBytes})`);
  }
  return resolved;
}

export function cpuLimitMessage(limits: ScriptLimits): string {
  return `CPU time limit exceeded (${limits.cpuMsPerRecord} ms)`;
}

export function memoryLimitMessage(limits: ScriptLimits): string {
  const mib = limits.memoryBytes / (1024 * 1024);
  return `Memory limit exceeded (${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB)`;
}
