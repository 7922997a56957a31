// A flow run of 100,000 rows: a PostgreSQL table read in key pages through each transport (the
// export's connection is direct, through the agent, or through the ssh -R tunnel), a transform
// script, and a batched HTTP import into the target's sink. Rows/s comes from the run's own
// duration; the RSS figures are the peak growth while it ran, which stays flat when records move
// page by page.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { call, rssMiB, sampleRss, sleep } from './lib.mjs';
import { TRANSPORTS } from './transports.mjs';

const ROWS = 100_000;
const TRANSFORM = `function transform(record) {
  return { ...record, amount: Number(record.amount) * 2, name: record.name.toUpperCase() };
}`;

export async function flowRunCases(env, { row, figure }) {
  const database = `outpost_bench_flow_${process.pid}`;
  const psql = (db, sql) =>
    execFileSync('psql', ['-h', '127.0.0.1', '-U', os.userInfo().username, '-d', db, '-qAt', '-c', sql], {
      encoding: 'utf8',
    });
  const api = (method, route, body, expected) =>
    call(env.api.url, env.headers, method, route, body, expected);
  psql('postgres', `CREATE DATABASE ${database}`);
  try {
    psql(
      database,
      `CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS name, g * 1.5 AS amount
       FROM generate_series(1, ${ROWS}) AS g`,
    );
    const script = await api('POST', '/v1/scripts', {
      name: 'bench transform',
      kind: 'TRANSFORM',
      source: TRANSFORM,
    });
    const sinkImport = await api('POST', '/v1/imports', {
      name: 'bench sink',
      connectionId: env.http.direct,
      http: { method: 'POST', path: '/sink', mode: 'batch', batchSize: 1000 },
    });
    for (const transport of TRANSPORTS) {
      const source = await api('POST', '/v1/exports', {
        name: `bench orders ${transport}`,
        connectionId: await env.sqlConnection(transport, database),
        sql: { query: 'SELECT id, name, amount FROM orders', keyColumn: 'id' },
      });
      const flow = await api('POST', '/v1/flows', {
        name: `bench flow ${transport}`,
        exportId: source.id,
        scriptIds: [script.id],
        importIds: [sinkImport.id],
        pageSize: 2000,
      });
      const before = { api: rssMiB(env.api.pid), agent: rssMiB(env.agentPid) };
      const sampler = sampleRss({ api: env.api.pid, agent: env.agentPid });
      let run;
      let peaks;
      try {
        run = await api('POST', `/v1/flows/${flow.id}/runs`, {}, [202]);
        while (run.status === 'queued' || run.status === 'running') {
          await sleep(200);
          run = await api('GET', `/v1/runs/${run.id}`);
        }
      } finally {
        peaks = sampler.stop();
      }
      if (run.status !== 'succeeded')
        throw new Error(`the ${transport} flow run ${run.status}: ${run.error}`);
      const sink = await fetch(`${env.targetUrl}/sink?run=${run.id}`).then((response) => response.json());
      if (run.counts.written !== ROWS || sink.records !== ROWS)
        throw new Error(`wrote ${run.counts.written}, the sink got ${sink.records} of ${ROWS}`);
      const rate = ROWS / (run.durationMs / 1000);
      row('flow-100k-rows-sql-to-http', transport, 'rows/s', rate, 'rows/s');
      row('flow-100k-rows-sql-to-http', transport, 'API RSS growth', peaks.api - before.api, 'MiB');
      if (transport === 'agent')
        row('flow-100k-rows-sql-to-http', transport, 'agent RSS growth', peaks.agent - before.agent, 'MiB');
      figure('flow', transport, rate);
    }
  } finally {
    psql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}
