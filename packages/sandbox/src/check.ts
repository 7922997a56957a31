// checkScript: what "Save" of a script asks: does it compile, define its function, and finish its
// top-level code within the CPU limit? Runs in a throw-away sandbox worker, no records.
import {
  resolveLimits,
  type ScriptCheck,
  ScriptError,
  type ScriptKind,
  type ScriptLimits,
} from './script.ts';
import { startWorker } from './start.ts';

export async function checkScript(
  source: string,
  kind: ScriptKind,
  limits?: Partial<ScriptLimits>,
): Promise<ScriptCheck> {
  try {
    const worker = await startWorker(source, kind, resolveLimits(limits));
    await worker.terminate();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    return { ok: false, message: error.message, line: error.line, column: error.column };
  }
}
