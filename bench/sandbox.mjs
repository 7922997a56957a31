// The script sandbox (@outpost/sandbox): records per second through a trivial transform and a
// filter, in the pages the flow runner uses, plus the cost of starting and checking a script and
// how long the host's event loop is held up meanwhile (it should not be: the VM runs in a worker).
// Run alone: `node bench/sandbox.mjs [--quick]` (after `pnpm --filter @outpost/sandbox build`);
// prints a table and writes bench/results/sandbox.json.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { root, round } from './lib.mjs';

const { checkScript, startScript } = await import(
  pathToFileURL(path.join(root, 'packages/sandbox/dist/index.js')).href
);

const TRANSFORM = `function transform(record) {
  return { ...record, total: record.quantity * record.price, name: record.name.trim() };
}`;
const FILTER = 'function filter(record) { return record.quantity > 5; }';

function records(count) {
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    name: ` item ${i} `,
    quantity: i % 10,
    price: 9.99,
    tags: ['a', 'b'],
    createdAt: '2026-11-28T00:00:00.000Z',
  }));
}

/** Records per second of `kind` over `total` records sent in pages of `page`. */
async function throughput(source, kind, total, page) {
  const run = await startScript(source, kind);
  try {
    const data = records(total);
    await run.run(data.slice(0, page)); // warm up
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    for (let i = 0; i < total; i += page) {
      const outcomes = await run.run(data.slice(i, i + page));
      if (outcomes.some((outcome) => !outcome.ok)) throw new Error('a record failed');
    }
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    return { perSecond: Math.round(total / seconds), loopMaxMs: round(delay.max / 1e6) };
  } finally {
    await run.dispose();
  }
}

async function timeOf(action, rounds) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await action();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return round(samples[Math.floor(samples.length / 2)]);
}

export async function sandboxCases({ quick = false } = {}) {
  const total = quick ? 20_000 : 100_000;
  const cases = [];
  for (const [kind, source] of [
    ['transform', TRANSFORM],
    ['filter', FILTER],
  ]) {
    for (const page of [500, 1000]) {
      const { perSecond, loopMaxMs } = await throughput(source, kind, total, page);
      const name = `sandbox-${kind}-${total / 1000}k-page${page}`;
      cases.push({
        case: name,
        transport: 'direct',
        metric: 'records/s',
        value: perSecond,
        unit: 'records/s',
      });
      cases.push({ case: name, transport: 'direct', metric: 'event-loop max', value: loopMaxMs, unit: 'ms' });
    }
  }
  const rounds = quick ? 5 : 20;
  cases.push({
    case: 'sandbox-start-script',
    transport: 'direct',
    metric: 'p50',
    value: await timeOf(async () => (await startScript(TRANSFORM, 'transform')).dispose(), rounds),
    unit: 'ms',
  });
  cases.push({
    case: 'sandbox-check-script',
    transport: 'direct',
    metric: 'p50',
    value: await timeOf(() => checkScript(TRANSFORM, 'transform'), rounds),
    unit: 'ms',
  });
  return { cases, targets: [] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const { cases } = await sandboxCases({ quick });
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      // Records/s scale with the CPU left over: a load average above the core count halves them.
      loadAverage: round(os.loadavg()[0]),
    },
    quick,
    cases,
  };
  await writeFile(path.join(root, 'bench/results/sandbox.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('| case | metric | value |\n|---|---|---|');
  for (const row of cases) console.log(`| ${row.case} | ${row.metric} | ${row.value} ${row.unit} |`);
}
