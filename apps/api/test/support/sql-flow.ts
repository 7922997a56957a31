import { createDatabaseClient, type Database } from '@outpost/db/client';
import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import type { FlowRun } from '@outpost/protocol/rest/runs';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { type As, create } from './flows.ts';

/**
 * A flow from one PostgreSQL table to another, for the fault tests: `items` (ids 1…rows) in a
 * source database of its own, into `received` in a destination database of its own. `received`
 * has no unique constraint: a record written twice is a second row, one lost is a missing row.
 * One side goes through the agent (On-premise), the other is read or written by the API (Cloud;
 * the API must allow 127.0.0.1, OUTPOST_ALLOW_PRIVATE_TARGETS=127.0.0.1/32).
 */
export interface SqlFlow {
  flowId: string;
  /** The On-premise connection (the agent's side). */
  agentConnectionId: string;
  rows: number;
  destination: TestDatabase;
  destinationSql: Database;
  /** Rows in `received`, and distinct ids among them. */
  tally(): Promise<{ total: number; distinct: number }>;
  close(): Promise<void>;
}

/** Flows made in this test file: the second one's resources get names of their own. */
let flows = 0;

export async function startSqlFlow(
  as: As,
  options: {
    agentId: string;
    /** Which side the agent serves: it reads the export, or writes the import. */
    agentSide: 'export' | 'import';
    rows: number;
    pageSize: number;
    batchSize?: number;
  },
): Promise<SqlFlow> {
  flows += 1;
  const suffix = flows === 1 ? '' : ` ${flows}`;
  const source = await createTestDatabase({ empty: true });
  const destination = await createTestDatabase({ empty: true });
  const sourceSql = createDatabaseClient({ url: source.url, poolSize: 1 });
  const destinationSql = createDatabaseClient({ url: destination.url, poolSize: 1 });
  await sourceSql.$executeRawUnsafe('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)');
  await sourceSql.$executeRawUnsafe(
    `INSERT INTO items SELECT n, 'item ' || n FROM generate_series(1, ${options.rows}) AS n`,
  );
  await sourceSql.$disconnect();
  await destinationSql.$executeRawUnsafe('CREATE TABLE received (id int NOT NULL, name text)');

  const connection = async (name: string, database: TestDatabase, onPremise: boolean) => {
    const url = new URL(database.url);
    return create(as, '/v1/connections', {
      name,
      type: 'POSTGRES',
      ...(onPremise ? { mode: 'ON_PREMISE', agentId: options.agentId } : {}),
      sql: {
        host: '127.0.0.1',
        port: Number(url.port || 5432),
        database: database.name,
        user: decodeURIComponent(url.username),
        tls: 'disable',
      },
    });
  };
  const sourceId = await connection(`Items DB${suffix}`, source, options.agentSide === 'export');
  const destinationId = await connection(`Warehouse${suffix}`, destination, options.agentSide === 'import');
  const exportId = await create(as, '/v1/exports', {
    name: `Items${suffix}`,
    connectionId: sourceId,
    sql: { query: 'SELECT id, name FROM items', keyColumn: 'id' },
  });
  const importId = await create(as, '/v1/imports', {
    name: `Items to the warehouse${suffix}`,
    connectionId: destinationId,
    sql: {
      table: 'received',
      columns: [
        { column: 'id', field: 'id' },
        { column: 'name', field: 'name' },
      ],
      batchSize: options.batchSize ?? options.pageSize,
    },
  });
  const flowId = await create(as, '/v1/flows', {
    name: `Items out${suffix}`,
    exportId,
    scriptIds: [],
    importIds: [importId],
    pageSize: options.pageSize,
  });
  return {
    flowId,
    agentConnectionId: options.agentSide === 'export' ? sourceId : destinationId,
    rows: options.rows,
    destination,
    destinationSql,
    async tally() {
      const [row] = await destinationSql.$queryRawUnsafe<{ total: bigint; distinct: bigint }[]>(
        'SELECT count(*) AS total, count(DISTINCT id) AS distinct FROM received',
      );
      return { total: Number(row?.total), distinct: Number(row?.distinct) };
    },
    async close() {
      await destinationSql.$disconnect();
      await source.drop();
      await destination.drop();
    },
  };
}

/** The run succeeded with every record read and written once, and the table holds each id once. */
export async function expectExactlyOnce(flow: SqlFlow, run: FlowRun): Promise<void> {
  expect(run, run.logs.map((line) => line.message).join('\n')).toMatchObject({
    status: 'succeeded',
    counts: { read: flow.rows, written: flow.rows, failed: 0 },
    error: null,
  });
  expect(await flow.tally()).toEqual({ total: flow.rows, distinct: flow.rows });
}

/** `As` over real HTTP with an API token, for an API in another process. */
export function overHttp(baseUrl: () => string, token: string): As {
  return async (method, url, body) => {
    const response = await fetch(`${baseUrl()}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      statusCode: response.status,
      body: text,
      headers: Object.fromEntries(response.headers),
      json: () => JSON.parse(text),
    } as unknown as LightMyRequestResponse;
  };
}

/** The run's log lines, one string. */
export function logOf(run: FlowRun): string {
  return run.logs.map((line) => `${line.level} ${line.message}`).join('\n');
}
