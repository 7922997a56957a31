// Cases 1 to 4 (and 7, on the same API) for each transport: latency and throughput of a 1 KiB GET,
// a streamed SQL SELECT, one large streamed body; and a 100,000-row flow run whose export goes
// through each transport. Every figure comes from this one run.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { flowRunCases } from './flow-run.mjs';
import { round, rssMiB, sampleRss, summarise } from './lib.mjs';
import { revocation } from './revocation.mjs';
import { get, setupTransports, TRANSPORTS, through } from './transports.mjs';

const MiB = 2 ** 20;

export async function transportCases({ quick }) {
  const env = await setupTransports();
  const cases = [];
  const began = performance.now();
  const row = (name, transport, metric, value, unit) => {
    cases.push({ case: name, transport, metric, value: round(value), unit });
    const at = `${Math.round((performance.now() - began) / 1000)} s`;
    console.log(`  ${name} · ${transport} · ${metric}: ${round(value)} ${unit} (${at})`);
  };
  const figures = {};
  const figure = (name, transport, value) => {
    figures[name] ??= {};
    figures[name][transport] = value;
  };
  try {
    // 1. Latency, concurrency 1. The transports take turns, one request each, in a rotating
    // order: on a machine shared with other work, a busy moment then weighs on all of them alike.
    const rounds = quick ? 200 : 1000;
    for (const transport of TRANSPORTS) for (let i = 0; i < 20; i++) await get(env, transport, '/1k'); // warm up
    const latencies = Object.fromEntries(TRANSPORTS.map((transport) => [transport, []]));
    for (let i = 0; i < rounds; i++) {
      for (let j = 0; j < TRANSPORTS.length; j++) {
        const transport = TRANSPORTS[(i + j) % TRANSPORTS.length];
        const [ms, bytes] = await get(env, transport, '/1k');
        if (bytes !== 1024) throw new Error(`got ${bytes} bytes`);
        latencies[transport].push(ms);
      }
    }
    for (const transport of TRANSPORTS) {
      const latency = summarise(latencies[transport]);
      for (const metric of ['p50', 'p90', 'p99', 'max'])
        row('latency-1k-get-c1', transport, metric, latency[metric], 'ms');
      figure('latency-p50', transport, latency.p50);
    }

    // 2. Throughput, concurrency 64.
    const seconds = quick ? 5 : 20;
    for (const transport of TRANSPORTS) {
      const samples = [];
      const until = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (performance.now() < until) samples.push((await get(env, transport, '/1k'))[0]);
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const rate = samples.length / elapsed;
      row('throughput-1k-get-c64', transport, 'requests/s', rate, 'req/s');
      row('throughput-1k-get-c64', transport, 'p99', summarise(samples).p99, 'ms');
      figure('throughput', transport, rate);
    }

    // 7. Revocation, on the same API.
    const revoked = await revocation(env, { agents: 100 });
    row('revocation-100-agents', 'agent', 'p50', revoked.p50, 'ms');
    row('revocation-100-agents', 'agent', 'p99', revoked.p99, 'ms');
    figure('revocation-p99', 'agent', revoked.p99);

    // 4. SQL: a 100,000-row SELECT streamed from the local PostgreSQL.
    const database = `outpost_bench_${process.pid}`;
    const psql = (db, sql) =>
      execFileSync('psql', ['-h', '127.0.0.1', '-U', os.userInfo().username, '-d', db, '-qAt', '-c', sql], {
        encoding: 'utf8',
      });
    psql('postgres', `CREATE DATABASE ${database}`);
    try {
      psql(
        database,
        `CREATE TABLE rows AS SELECT g AS id, md5(g::text) AS name, g * 1.5 AS amount, now() AS at
         FROM generate_series(1, 100000) AS g`,
      );
      const runs = quick ? 1 : 3;
      for (const transport of TRANSPORTS) {
        const id = await env.sqlConnection(transport, database);
        const query = (sql) => through(env, `/v1/connections/${id}/query`, { sql, timeoutMs: 600_000 });
        await query('SELECT id, name, amount, at FROM rows LIMIT 1000'); // warm up the pool
        const times = [];
        for (let i = 0; i < runs; i++) {
          const [ms, bytes] = await query('SELECT id, name, amount, at FROM rows ORDER BY id');
          if (bytes < 100_000 * 40) throw new Error(`only ${bytes} bytes of rows`);
          times.push(ms);
        }
        const rate = 100_000 / (summarise(times).p50 / 1000);
        row('sql-select-100k-rows', transport, 'rows/s', rate, 'rows/s');
        figure('sql', transport, rate);
      }
    } finally {
      psql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }

    // A flow: export through each transport → script → import.
    await flowRunCases(env, { row, figure });

    // 3. Streaming one large body.
    const size = quick ? 256 * MiB : 1024 * MiB;
    const label = quick ? 'stream-256mib-body' : 'stream-1gib-body';
    for (const transport of TRANSPORTS) {
      await get(env, transport, '/bytes?n=1048576'); // warm up
      const before = { api: rssMiB(env.api.pid), agent: rssMiB(env.agentPid) };
      const sampler = sampleRss({ api: env.api.pid, agent: env.agentPid });
      const [ms, bytes] = await through(env, `/v1/connections/${env.http[transport]}/http`, {
        method: 'GET',
        path: `/bytes?n=${size}`,
        timeoutMs: 600_000,
      });
      const peaks = sampler.stop();
      if (bytes !== size) throw new Error(`streamed ${bytes} of ${size} bytes`);
      const rate = size / 1e6 / (ms / 1000);
      row(label, transport, 'throughput', rate, 'MB/s');
      row(label, transport, 'API RSS growth', peaks.api - before.api, 'MiB');
      if (transport === 'agent') row(label, transport, 'agent RSS growth', peaks.agent - before.agent, 'MiB');
      figure('stream', transport, rate);
      figure('stream-api-rss', transport, peaks.api - before.api);
      figure('stream-agent-rss', transport, peaks.agent - before.agent);
    }
  } finally {
    await env.stop();
  }
  return { cases, targets: targetsOf(figures) };
}

/** The targets that this run measured; a case that did not run has none. */
function targetsOf(f) {
  const targets = [];
  const add = (name, value, bound, unit, pass) =>
    targets.push({ name, value: round(value), bound: round(bound), unit, pass });
  const latency = f['latency-p50'];
  if (latency) {
    add(
      'agent p50 latency ≤ direct p50 + 0.5 ms',
      latency.agent,
      latency.direct + 0.5,
      'ms',
      latency.agent <= latency.direct + 0.5,
    );
    add(
      'agent p50 latency ≤ ssh -R p50',
      latency.agent,
      latency['ssh -R'],
      'ms',
      latency.agent <= latency['ssh -R'],
    );
  }
  const rate = f.throughput;
  if (rate) {
    add(
      'agent throughput ≥ 50% of direct',
      rate.agent,
      rate.direct / 2,
      'req/s',
      rate.agent >= rate.direct / 2,
    );
    add('agent throughput ≥ ssh -R', rate.agent, rate['ssh -R'], 'req/s', rate.agent >= rate['ssh -R']);
  }
  const stream = f.stream;
  if (stream) {
    add(
      'agent streaming ≥ 50% of ssh -R',
      stream.agent,
      stream['ssh -R'] / 2,
      'MB/s',
      stream.agent >= stream['ssh -R'] / 2,
    );
    const api = f['stream-api-rss'].agent;
    const agent = f['stream-agent-rss'].agent;
    add('agent streaming: API RSS growth ≤ 64 MiB', api, 64, 'MiB', api <= 64);
    add('agent streaming: agent RSS growth ≤ 64 MiB', agent, 64, 'MiB', agent <= 64);
  }
  const revoked = f['revocation-p99'];
  if (revoked) add('revocation p99 ≤ 1 s', revoked.agent, 1000, 'ms', revoked.agent <= 1000);
  return targets;
}
