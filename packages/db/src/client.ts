import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type * from './generated/prisma/client.ts';
export { Prisma, PrismaClient } from './generated/prisma/client.ts';
export { License, Role } from './generated/prisma/enums.ts';

export interface DatabaseOptions {
  url: string;
  /** Connections in the pool of this process. */
  poolSize?: number;
}

/** One Prisma client over a `pg` pool; close it with `$disconnect()`. */
export function createDatabaseClient({ url, poolSize = 10 }: DatabaseOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  return new PrismaClient({ adapter });
}

export type Database = PrismaClient;
