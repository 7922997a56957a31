// `pnpm bench [--quick]`: runs the benchmark cases against the built product, prints a Markdown
// table and writes bench/results/latest.json (and a dated copy). It never fails on a number.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { agentsList } from '../bench/agents-list.mjs';
import { crossInstance } from '../bench/cross-instance.mjs';
import { idleAgents } from '../bench/idle-agents.mjs';
import { renderReport, writeReadmeBlock } from '../bench/report.mjs';
import { transportCases } from '../bench/transport-cases.mjs';
import { build, ensureInstalled, root } from './workspace.mjs';

const quick = process.argv.includes('--quick');
ensureInstalled();
build(['@outpost/api', '@outpost/agent', '@outpost/sandbox']); // the benchmarks use no web app
// Loaded after the build: it imports the sandbox's built host code.
const { sandboxCases } = await import('../bench/sandbox.mjs');

const cases = [];
const targets = [];
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice(7);
for (const run of [transportCases, crossInstance, idleAgents, agentsList, sandboxCases]) {
  if (only && !only.split(',').includes(run.name)) continue;
  console.log(`› ${run.name}${quick ? ' (quick)' : ''}`);
  const result = await run({ quick });
  cases.push(...result.cases);
  targets.push(...result.targets);
}

const report = {
  date: new Date().toISOString(),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
  machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  quick,
  cases,
  targets,
};
// A run of some cases (--only) does not replace the results of a run of all of them.
const folder = only ? os.tmpdir() : path.join(root, 'bench/results');
const names = only ? ['outpost-bench-only.json'] : ['latest.json', `${report.date.slice(0, 10)}.json`];
await mkdir(folder, { recursive: true });
for (const name of names) await writeFile(path.join(folder, name), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${names.map((name) => path.join(folder, name)).join(', ')}`);

const command = ['pnpm bench', ...process.argv.slice(2)].join(' ');
const markdown = renderReport(report, { command });
console.log(`\n${markdown}`);
// The README shows the last full run of every case.
if (!quick && !only) await writeReadmeBlock(root, markdown);
