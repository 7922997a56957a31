// `pnpm fuzz [--runs N] [--minutes M] [--only protocol,rest,hub,agent] [--seed S [--path P]]`:
// the fast-check fuzz properties, longer than CI runs them. CI runs each with a small default
// (OUTPOST_FUZZ_RUNS unset); `--runs N` runs each property N times; `--minutes M` runs rounds of
// every target, each with a fresh seed, until M minutes are up. A failure prints its seed (and
// fast-check's path): `--seed S --path P --runs N --only T` replays it.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { build, ensureInstalled, pnpmCommand, root } from './workspace.mjs';

const TARGETS = {
  protocol: ['--filter', '@outpost/protocol', 'exec', 'vitest', 'run', 'src/agent/dispatcher.fuzz.test.ts'],
  rest: ['--filter', '@outpost/api', 'exec', 'vitest', 'run', 'test/fuzz/rest.test.ts'],
  hub: ['--filter', '@outpost/api', 'exec', 'vitest', 'run', 'test/fuzz/hub-frames.test.ts'],
  agent: ['--filter', '@outpost/agent', 'exec', 'vitest', 'run', '--project', 'hub', 'test/hub/fuzz.test.ts'],
};

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    minutes: { type: 'string' },
    only: { type: 'string' },
    seed: { type: 'string' },
    path: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const wholeNumber = (name) => {
  if (values[name] === undefined) return undefined;
  const value = Number(values[name]);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} must be a whole number (got ${values[name]})`);
    process.exit(2);
  }
  return value;
};
const runs = wholeNumber('runs');
const minutes = Number(values.minutes ?? 0);
const fixedSeed = wholeNumber('seed');
const targets = values.only ? values.only.split(',') : Object.keys(TARGETS);
for (const target of targets) {
  if (!TARGETS[target]) {
    console.error(`unknown target "${target}": one of ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
}

ensureInstalled();
// The agent target runs the built agent; the API's tests import the workspace's sources.
if (!values['no-build'] && targets.includes('agent')) build(['@outpost/agent']);

const deadline = Date.now() + minutes * 60_000;
let round = 0;
do {
  round += 1;
  for (const target of targets) {
    const seed = fixedSeed ?? Math.floor(Math.random() * 2 ** 31);
    const env = {
      ...process.env,
      OUTPOST_FUZZ_SEED: String(seed),
      ...(runs === undefined ? {} : { OUTPOST_FUZZ_RUNS: String(runs) }),
      ...(values.path ? { OUTPOST_FUZZ_PATH: values.path } : {}),
    };
    console.log(`› round ${round}, ${target}: seed ${seed}${runs === undefined ? '' : `, ${runs} runs`}`);
    const [command, ...rest] = [...pnpmCommand(), ...TARGETS[target]];
    const result = spawnSync(command, rest, { cwd: root, env, stdio: 'inherit' });
    if (result.status !== 0) {
      const again = [
        'pnpm fuzz',
        `--only ${target}`,
        `--seed ${seed}`,
        ...(runs === undefined ? [] : [`--runs ${runs}`]),
      ];
      console.error(
        `\n✖ ${target} failed with seed ${seed}. Replay: ${again.join(' ')} (add --path from fast-check's report)`,
      );
      process.exit(result.status ?? 1);
    }
  }
} while (Date.now() < deadline);
console.log(`\n✓ ${round} round(s) of ${targets.join(', ')}: no failure`);
