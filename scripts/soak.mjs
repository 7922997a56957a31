// `pnpm soak [--minutes N] [--agents N] [--rate R] [--no-build]`: real agent processes under a
// steady request load, with agents restarted and tokens regenerated on the way (bench/soak/run.mjs);
// prints a line a minute and a Markdown table, and writes bench/results/soak-latest.json (and a
// dated copy). It never fails on a number: it exits non-zero only when the soak could not run.
// Ctrl-C ends it early and cleans up (the figures are printed, not written).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { soak } from '../bench/soak/run.mjs';
import { table } from '../bench/soak/summary.mjs';
import { build, ensureInstalled, root } from './workspace.mjs';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    agents: { type: 'string', default: '100' },
    rate: { type: 'string', default: '50' },
    'no-build': { type: 'boolean', default: false },
  },
});
const positive = (name) => {
  const value = Number(values[name]);
  if (!(value > 0)) {
    console.error(`--${name} must be a positive number (got ${values[name]})`);
    process.exit(2);
  }
  return value;
};
const options = {
  minutes: positive('minutes'),
  agents: Math.round(positive('agents')),
  rate: positive('rate'),
};

ensureInstalled();
if (!values['no-build']) build(['@outpost/api', '@outpost/agent']);

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  console.log('\n› interrupted: stopping and cleaning up (Ctrl-C again to leave at once)');
  interrupt.abort();
});
process.on('SIGTERM', () => interrupt.abort());

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
let summary;
try {
  summary = await soak({ ...options, signal: interrupt.signal });
} catch (error) {
  console.error(`\n✖ the soak could not run: ${error.stack ?? error}`);
  process.exit(1);
}

const report = {
  date: new Date().toISOString(),
  commit, // at the start
  machine: {
    cpus: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
  },
  ...summary,
};
console.log(`\n${table(summary)}`);
if (summary.interrupted) {
  console.log('\n(interrupted: bench/results/soak-latest.json left as it was)');
} else {
  const folder = path.join(root, 'bench/results');
  await mkdir(folder, { recursive: true });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(path.join(folder, 'soak-latest.json'), text);
  await writeFile(path.join(folder, `soak-${report.date.slice(0, 10)}.json`), text);
}
