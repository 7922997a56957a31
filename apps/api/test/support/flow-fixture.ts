import { closeSqlPools } from '@outpost/connectors/sql';
import { createDatabaseClient, type Database } from '@outpost/db/client';
import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import type { ConnectionDeps } from '../../src/modules/connections/service.ts';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from '../helpers.ts';
import { type FlowDestination, startFlowDestination } from './flow-destination.ts';
import { type As, create } from './flows.ts';

/**
 * What the in-process flow tests start from, Mode: Cloud: the API on a database of its own, a
 * real PostgreSQL source (a database of its own on the local server: `orders` 1…2500, `events`
 * 1…1200), a real HTTP destination on loopback (which this app is told to treat as reachable,
 * OUTPOST_ALLOW_PRIVATE_TARGETS=127.0.0.1/32, as a self-hosted install would), their
 * connections, an export of all orders and an import that posts batches of 250 to the destination.
 */
export interface FlowFixture {
  t: TestApp;
  owner: SignedUp;
  as: As;
  destination: FlowDestination;
  source: TestDatabase;
  /** The source database, for the test's own statements. */
  sourceSql: Database;
  sourceConnectionId: string;
  ordersExportId: string;
  apiImportId: string;
  /** What a FlowRunner of the test's own needs to reach the connections. */
  connectionDeps(): ConnectionDeps;
  flow(options?: {
    exportId?: string;
    scriptIds?: string[];
    importIds?: string[];
    pageSize?: number;
    schedule?: string;
  }): Promise<string>;
  script(kind: 'TRANSFORM' | 'FILTER', source: string, name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFlowFixture(): Promise<FlowFixture> {
  const destination = await startFlowDestination({ maxId: 10_000 });
  const source = await createTestDatabase({ empty: true });
  const sourceSql = createDatabaseClient({ url: source.url, poolSize: 1 });
  for (const statement of [
    'CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, amount int NOT NULL)',
    `INSERT INTO orders SELECT n, 'item ' || n, n % 100 FROM generate_series(1, 2500) AS n`,
    'CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL)',
    `INSERT INTO events SELECT n, 'created' FROM generate_series(1, 1200) AS n`,
  ])
    await sourceSql.$executeRawUnsafe(statement);
  const t = await startTestApp({ OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32' });
  const owner = await signUp(t.app);
  const as: As = (method, url, body) =>
    call(t.app, method, url, { as: { cookie: owner.cookie }, ...(body === undefined ? {} : { body }) });

  const sourceUrl = new URL(source.url);
  const sourceConnectionId = await create(as, '/v1/connections', {
    name: 'Orders DB',
    type: 'POSTGRES',
    sql: {
      host: '127.0.0.1',
      port: Number(sourceUrl.port || 5432),
      database: source.name,
      user: decodeURIComponent(sourceUrl.username),
      tls: 'disable',
    },
  });
  const apiConnectionId = await create(as, '/v1/connections', {
    name: 'Orders API',
    type: 'HTTP',
    http: { baseUri: destination.url },
  });
  const ordersExportId = await create(as, '/v1/exports', {
    name: 'All orders',
    connectionId: sourceConnectionId,
    sql: { query: 'SELECT id, item, amount FROM orders', keyColumn: 'id' },
  });
  const apiImportId = await create(as, '/v1/imports', {
    name: 'Orders to the API',
    connectionId: apiConnectionId,
    http: { path: '/orders', mode: 'batch', batchSize: 250 },
  });

  let counter = 0;
  const unique = (label: string) => `${label} ${++counter}`;
  return {
    t,
    owner,
    as,
    destination,
    source,
    sourceSql,
    sourceConnectionId,
    ordersExportId,
    apiImportId,
    connectionDeps: () => ({
      db: t.db,
      secrets: t.app.secrets,
      hub: t.app.hub,
      privateTargets: t.app.config.privateTargets,
    }),
    flow: (options = {}) =>
      create(as, '/v1/flows', {
        name: unique('Flow'),
        exportId: options.exportId ?? ordersExportId,
        scriptIds: options.scriptIds ?? [],
        importIds: options.importIds ?? [apiImportId],
        pageSize: options.pageSize ?? 1000,
        ...(options.schedule ? { schedule: options.schedule } : {}),
      }),
    script: (kind, scriptSource, name = unique('Script')) =>
      create(as, '/v1/scripts', { name, kind, source: scriptSource }),
    async close() {
      await t.close();
      await closeSqlPools();
      await sourceSql.$disconnect();
      await source.drop();
      await destination.close();
    },
  };
}

/** A promise the test opens: what the destination waits on to hold a request. */
export function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}
