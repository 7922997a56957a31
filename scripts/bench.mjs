// `pnpm bench [--quick]`: runs the benchmark cases against the built product, prints a Markdown
// table and writes bench/results/latest.json (and a dated copy). It never fails on a number.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { agentsList } from '../bench/agents-list.mjs';
import { idleAgents } from '../bench/idle-agents.mjs';
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
for (const run of [transportCases, idleAgents, agentsList, sandboxCases]) {
  if (only && !only.split(',').includes(run.name)) continue;
  console.log(`› ${run.name}${quick ? ' (quick)' : ''}`);
  const result = await run({ quick });
  cases.push(...result.cases);
  targets.push(...result.targets);
}

// Case 5 needs a second API instance sharing the hub's sessions: not built yet, so not measured.
cases.push({
  case: 'cross-instance-latency',
  transport: 'agent',
  metric: 'p50',
  value: null,
  unit: 'ms',
  skipped: 'needs scale-out (issue 8)',
});

const report = {
  date: new Date().toISOString(),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
  machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  quick,
  cases,
  targets,
};
const folder = path.join(root, 'bench/results');
await mkdir(folder, { recursive: true });
await writeFile(path.join(folder, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(
  path.join(folder, `${report.date.slice(0, 10)}.json`),
  `${JSON.stringify(report, null, 2)}\n`,
);

console.log('\n| case | transport | metric | value |\n|---|---|---|---|');
for (const row of cases)
  console.log(
    `| ${row.case} | ${row.transport} | ${row.metric} | ${row.skipped ? `skipped: ${row.skipped}` : `${row.value} ${row.unit}`} |`,
  );
console.log('\n| target | value | bound | pass |\n|---|---|---|---|');
for (const target of targets)
  console.log(
    `| ${target.name} | ${target.value} ${target.unit} | ${target.bound} ${target.unit} | ${target.pass ? 'yes' : 'no'} |`,
  );
