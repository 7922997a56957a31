import { Prisma } from '@outpost/db/client';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './database-errors.ts';

const known = (code: string, meta?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError('failed', {
    code,
    clientVersion: 'test',
    ...(meta ? { meta } : {}),
  });

describe('isDatabaseUnavailable', () => {
  it('says yes for a database that is away', () => {
    expect(isDatabaseUnavailable(known('P1001'))).toBe(true);
    expect(isDatabaseUnavailable(known('P1017'))).toBe(true);
    // A transaction that could not start in time: creates queued on one environment's limit lock.
    expect(isDatabaseUnavailable(known('P2028'))).toBe(true);
    expect(
      isDatabaseUnavailable(
        known('P2010', {
          driverAdapterError: { cause: { kind: 'DatabaseNotReachable', host: 'db', port: 5432 } },
        }),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        known('P2010', { driverAdapterError: { cause: { kind: 'postgres', code: '57P01' } } }),
      ),
    ).toBe(true);
    // pg's own error, unwrapped, from a transaction whose connection was cut.
    expect(
      isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
  });

  it('says no for a query that failed, and for errors that are not Prisma’s', () => {
    expect(isDatabaseUnavailable(known('P2002'))).toBe(false);
    expect(
      isDatabaseUnavailable(
        known('P2010', { driverAdapterError: { cause: { kind: 'postgres', code: '42P01' } } }),
      ),
    ).toBe(false);
    expect(
      isDatabaseUnavailable(Object.assign(new Error('Connection terminated'), { name: 'ConnectionFailure' })),
    ).toBe(false);
    expect(isDatabaseUnavailable('P1001')).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
