import type { Parameters } from 'fast-check';

/**
 * How long the fuzz properties run (fast-check), from the environment that `pnpm fuzz` sets:
 * - `OUTPOST_FUZZ_RUNS`: runs per property (each target has a small default for CI);
 * - `OUTPOST_FUZZ_SEED` (and `OUTPOST_FUZZ_PATH`): replay a failure that fast-check reported as
 *   "seed: …, path: …".
 */
export interface FuzzBudget {
  runs: number;
  seed: number;
  /** For `fc.assert`: the runs, the seed, and the path of a failure to replay. */
  parameters<T>(): Parameters<T>;
  /** A test timeout for `runs` runs taking up to `perRunMs` each, never under `floorMs`. */
  timeoutMs(perRunMs: number, floorMs?: number): number;
}

function positiveInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, not "${raw}"`);
  return value;
}

/** The seed CI runs (a run of `pnpm fuzz` that finds a failure turns its case into a regression test). */
const CI_SEED = 167_077_681;

export function fuzzBudget(defaultRuns: number): FuzzBudget {
  const runs = Math.max(1, positiveInteger('OUTPOST_FUZZ_RUNS') ?? defaultRuns);
  // One seed per process, printed by fast-check on a failure; the same seed replays the same values.
  // CI runs one fixed seed, so a run's verdict is the commit's; `pnpm fuzz` explores new seeds.
  const seed =
    positiveInteger('OUTPOST_FUZZ_SEED') ??
    (process.env.CI ? CI_SEED : (Date.now() ^ (Math.random() * 2 ** 31)) >>> 1);
  const path = process.env.OUTPOST_FUZZ_PATH || undefined;
  return {
    runs,
    seed,
    parameters: () => ({ numRuns: runs, seed, ...(path ? { path } : {}) }),
    timeoutMs: (perRunMs, floorMs = 30_000) => Math.max(floorMs, runs * perRunMs),
  };
}
