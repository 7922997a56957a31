// The soak's flow: a PostgreSQL table (a database of its own on the local server) read in key
// pages through one agent, a transform script, and a batched HTTP import through the same agent
// into the target's sink, which keeps one copy per Idempotency-Key. Each run is checked: every
// record written exactly once (the sink's count for the run equals the table's rows).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { call, sleep } from '../lib.mjs';

const ROWS = 10_000;
const TRANSFORM = `function transform(record) {
  return { ...record, amount: Number(record.amount) * 2, name: record.name.toUpperCase() };
}`;

function psql(database, sql) {
  return execFileSync(
    'psql',
    ['-h', '127.0.0.1', '-U', os.userInfo().username, '-d', database, '-qAt', '-c', sql],
    { encoding: 'utf8' },
  );
}

/** Creates the database, the table and the flow through `agent`; `drop()` removes the database. */
export async function setupFlow({ api, headers, agent, targetPort }) {
  const database = `outpost_soak_flow_${process.pid}`;
  const post = (route, body, expected) => call(api.url, headers, 'POST', route, body, expected);
  psql('postgres', `CREATE DATABASE ${database}`);
  const drop = async () => psql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  try {
    psql(
      database,
      `CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS name, g * 1.5 AS amount
       FROM generate_series(1, ${ROWS}) AS g`,
    );
    const onAgent = { mode: 'ON_PREMISE', agentId: agent.id };
    const sql = await post('/v1/connections', {
      name: 'soak orders',
      type: 'POSTGRES',
      ...onAgent,
      sql: { host: '127.0.0.1', port: 5432, database, user: os.userInfo().username },
    });
    const sink = await post('/v1/connections', {
      name: 'soak sink',
      type: 'HTTP',
      ...onAgent,
      http: { baseUri: `http://127.0.0.1:${targetPort}/`, auth: { type: 'none' } },
    });
    const script = await post('/v1/scripts', {
      name: 'soak transform',
      kind: 'TRANSFORM',
      source: TRANSFORM,
    });
    const source = await post('/v1/exports', {
      name: 'soak orders',
      connectionId: sql.id,
      sql: { query: 'SELECT id, name, amount FROM orders', keyColumn: 'id' },
    });
    const destination = await post('/v1/imports', {
      name: 'soak sink',
      connectionId: sink.id,
      http: { method: 'POST', path: '/sink', mode: 'batch', batchSize: 500 },
    });
    const flow = await post('/v1/flows', {
      name: 'soak flow',
      exportId: source.id,
      scriptIds: [script.id],
      importIds: [destination.id],
      pageSize: 1000,
    });
    return { flowId: flow.id, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

/** Runs the flow once and checks what the sink got; never throws for a run that failed. */
export async function runFlow({ api, headers, flowId, targetUrl }) {
  let run = await call(api.url, headers, 'POST', `/v1/flows/${flowId}/runs`, {}, [202]);
  const deadline = Date.now() + 10 * 60_000;
  while ((run.status === 'queued' || run.status === 'running') && Date.now() < deadline) {
    await sleep(500);
    run = await call(api.url, headers, 'GET', `/v1/runs/${run.id}`).catch(() => run);
  }
  const sink = await fetch(`${targetUrl}/sink?run=${run.id}`).then((response) => response.json());
  return {
    id: run.id,
    status: run.status,
    error: run.error ?? null,
    written: run.counts?.written ?? 0,
    sinkRecords: sink.records,
    repeatedBatches: sink.repeated,
    durationMs: run.durationMs,
    exactlyOnce: run.status === 'succeeded' && run.counts.written === ROWS && sink.records === ROWS,
  };
}
