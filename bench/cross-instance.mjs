// Case 5: two API instances (the built bundle, real processes) on one PostgreSQL database and one
// Redis, a real agent connected to instance A. A 1 KiB GET through its On-premise connection,
// issued on A (the session is here) and on B (routed over the instance link to A), alternately,
// the same number of rounds as case 1.
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { call, root, round, signUp, sleep, startApi, summarise } from './lib.mjs';
import { freePort, get, startAgent } from './transports.mjs';

const REDIS_URL = 'redis://127.0.0.1:6379';
const require = createRequire(path.join(root, 'apps/api/package.json'));

/** Deletes every Redis key of this run. */
async function deleteKeys(prefix) {
  const { Redis } = require('ioredis');
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function crossInstance({ quick }) {
  const user = os.userInfo().username;
  const database = `outpost_bench_xi_${process.pid}`;
  const psql = (sql) =>
    execFileSync('psql', ['-h', '127.0.0.1', '-U', user, '-d', 'postgres', '-qAt', '-c', sql], {
      encoding: 'utf8',
    });
  const prefix = `outpost:bench:${randomBytes(6).toString('hex')}:`;
  const folder = await mkdtemp(path.join(os.tmpdir(), 'outpost-bench-xi-'));
  const stops = [];
  psql(`CREATE DATABASE ${database}`);
  try {
    const target = fork(path.join(root, 'bench/target-server.mjs'), { stdio: 'inherit' });
    stops.push(async () => {
      target.kill('SIGTERM');
    });
    const { port: targetPort } = await new Promise((resolve) => target.once('message', resolve));
    const shared = {
      DATABASE_URL: `postgresql://${user}@127.0.0.1:5432/${database}`,
      REDIS_URL,
      OUTPOST_REDIS_PREFIX: prefix,
      OUTPOST_SECRET_KEY: randomBytes(32).toString('hex'),
    };
    const instance = async () => {
      const port = await freePort();
      const api = await startApi({
        port,
        env: { ...shared, HOST: '127.0.0.1', OUTPOST_INTERNAL_URL: `http://127.0.0.1:${port}` },
      });
      stops.push(api.stop);
      return api;
    };
    // One after the other: the first applies the migrations.
    const a = await instance();
    const b = await instance();
    const headers = await signUp(a.url);
    const agentRow = await call(a.url, headers, 'POST', '/v1/agents', { name: 'cross-instance agent' });
    const agent = await startAgent(a, headers, agentRow.id, folder);
    stops.push(agent.stop);
    const connection = await call(a.url, headers, 'POST', '/v1/connections', {
      name: 'cross-instance http',
      type: 'HTTP',
      mode: 'ON_PREMISE',
      agentId: agentRow.id,
      http: { baseUri: `http://127.0.0.1:${targetPort}/`, auth: { type: 'none' } },
    });
    // Both instances reach the same agent through the same connection (the session cookie too).
    const on = {
      'same instance': { api: a, headers, http: { agent: connection.id } },
      'cross instance': { api: b, headers, http: { agent: connection.id } },
    };
    for (const env of Object.values(on)) for (let i = 0; i < 20; i++) await get(env, 'agent', '/1k');
    const rounds = quick ? 200 : 1000;
    const samples = { 'same instance': [], 'cross instance': [] };
    for (let i = 0; i < rounds; i++) {
      // Alternately, so that a busy moment of the machine weighs on both alike.
      for (const [where, env] of i % 2 ? Object.entries(on) : Object.entries(on).reverse()) {
        const [ms, bytes] = await get(env, 'agent', '/1k');
        if (bytes !== 1024) throw new Error(`got ${bytes} bytes`);
        samples[where].push(ms);
      }
    }
    const cases = [];
    const figures = {};
    for (const [where, list] of Object.entries(samples)) {
      const latency = summarise(list);
      figures[where] = latency.p50;
      for (const metric of ['p50', 'p90', 'p99', 'max']) {
        cases.push({
          case: 'cross-instance-latency',
          transport: where,
          metric,
          value: round(latency[metric]),
          unit: 'ms',
        });
        console.log(`  cross-instance-latency · ${where} · ${metric}: ${round(latency[metric])} ms`);
      }
    }
    const same = figures['same instance'];
    const cross = figures['cross instance'];
    return {
      cases,
      targets: [
        {
          name: 'cross-instance p50 ≤ same-instance p50 + 1 ms',
          value: round(cross),
          bound: round(same + 1),
          unit: 'ms',
          pass: cross <= same + 1,
        },
      ],
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error) => console.error(error));
    await sleep(200);
    psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await deleteKeys(prefix).catch((error) => console.error(error));
    await rm(folder, { recursive: true, force: true });
  }
}
