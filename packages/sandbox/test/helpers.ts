import { afterEach } from 'vitest';
import {
  type SandboxOptions,
  type ScriptKind,
  type ScriptLimits,
  type ScriptRun,
  startScript,
} from '../src/index.ts';

const started: ScriptRun[] = [];

/** startScript, disposed after the test. */
export async function script(
  source: string,
  kind: ScriptKind = 'transform',
  limits?: Partial<ScriptLimits>,
  options?: SandboxOptions,
): Promise<ScriptRun> {
  const run = await startScript(source, kind, limits, options);
  started.push(run);
  return run;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((run) => run.dispose()));
});
