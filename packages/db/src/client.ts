import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type * from './generated/prisma/client.ts';
export { Prisma, PrismaClient } from './generated/prisma/client.ts';
export { License, Role } from './generated/prisma/enums.ts';

export interface DatabaseOptions {
  url: string;
  /** Connections in the pool of this process. */
  poolSize?: number;
}

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** One Prisma client over a `pg` pool; close it with `$disconnect()` (which ends the pool too). */
export function createDatabaseClient({ url, poolSize = 10 }: DatabaseOptions): PrismaClient {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/** The pool under a client from `createDatabaseClient` (for its metrics: open, idle, waiting). */
export function databasePool(db: PrismaClient): pg.Pool | undefined {
  return pools.get(db);
}

export type Database = PrismaClient;
