import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutorError, parseInput, type RunContext } from './executor.ts';
import { closeSqlPools, type SqlInput, sqlExecutor } from './sql.ts';
import { type SqlBatchInput, type SqlBatchResult, sqlBatchExecutor } from './sql-batch.ts';

// The machine's own servers (see README → Development): PostgreSQL as the OS user, MariaDB as root.
const SERVERS = {
  postgres: { host: '127.0.0.1', port: 5432, database: 'test', user: 'root', tls: 'prefer' as const },
  mysql: {
    host: '127.0.0.1',
    port: 3306,
    database: 'test',
    user: 'root',
    password: '',
    tls: 'prefer' as const,
  },
};

afterAll(() => closeSqlPools());

function context(): RunContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 20_000 };
}

async function failure(promise: Promise<unknown>): Promise<ExecutorError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ExecutorError);
  return error as ExecutorError;
}

describe.each(['postgres', 'mysql'] as const)('the sql.batch executor on %s', (dialect) => {
  const table = `outpost_batch_${dialect}_${randomUUID().slice(0, 8)}`;
  const connection = SERVERS[dialect];

  async function query(sql: string, params: SqlInput['params'] = []): Promise<unknown[][]> {
    const output = await sqlExecutor.run(
      parseInput(sqlExecutor, { dialect, connection, sql, params }),
      context(),
    );
    let text = '';
    for await (const chunk of output.body ?? []) text += Buffer.from(chunk).toString('utf8');
    return text
      ? text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as unknown[])
      : [];
  }

  async function batch(input: Partial<SqlBatchInput>): Promise<SqlBatchResult> {
    const output = await sqlBatchExecutor.run(
      parseInput(sqlBatchExecutor, {
        dialect,
        connection,
        table,
        columns: ['id', 'name', 'doc'],
        rows: [],
        batchKey: randomUUID(),
        ...input,
      }),
      context(),
    );
    return output.result as SqlBatchResult;
  }

  const contents = () => query(`SELECT id, name FROM ${table} ORDER BY id`);

  beforeAll(async () => {
    const doc = dialect === 'postgres' ? 'jsonb' : 'json';
    await query(
      `CREATE TABLE ${table} (id integer PRIMARY KEY, name varchar(20) NOT NULL, doc ${doc}, CHECK (id > 0))`,
    );
  });
  afterAll(async () => {
    await query(`DROP TABLE IF EXISTS ${table}`);
  });

  it('inserts a batch in one transaction, and records its key', async () => {
    const batchKey = `run-1:import:0:${randomUUID()}`;
    const rows = [
      [1, 'one', '{"a":1}'],
      [2, "it's", null],
    ];
    expect(await batch({ rows, batchKey })).toEqual({ written: 2, alreadyWritten: 0, failures: [] });
    expect(await contents()).toEqual([
      [1, 'one'],
      [2, "it's"],
    ]);
    const [doc] = await query(`SELECT doc FROM ${table} WHERE id = 1`);
    expect(typeof doc?.[0] === 'string' ? JSON.parse(doc[0]) : doc?.[0]).toEqual({ a: 1 });
    const placeholder = dialect === 'postgres' ? '$1' : '?';
    const recorded = await query(
      `SELECT batch_key FROM outpost_import_batches WHERE batch_key = ${placeholder}`,
      [batchKey],
    );
    expect(recorded).toEqual([[batchKey]]);

    // The same key again (a retried page): skipped, nothing written twice.
    expect(await batch({ rows: [...rows, [3, 'three', null]], batchKey })).toEqual({
      written: 0,
      alreadyWritten: 3,
      failures: [],
    });
    expect(await contents()).toHaveLength(2);
  });

  it('upserts on the key columns', async () => {
    const result = await batch({
      mode: 'upsert',
      keyColumns: ['id'],
      rows: [
        [2, 'two', null],
        [4, 'four', null],
      ],
    });
    expect(result).toEqual({ written: 2, alreadyWritten: 0, failures: [] });
    expect(await contents()).toEqual([
      [1, 'one'],
      [2, 'two'],
      [4, 'four'],
    ]);
  });

  it('writes a batch that breaks a constraint row by row: the bad rows fail, the others are written once', async () => {
    const batchKey = randomUUID();
    const rows = [
      [10, 'ten', null],
      [1, 'duplicate of one', null],
      [11, 'eleven', null],
      [-5, 'breaks the check', null],
      [12, null, null],
    ];
    const first = await batch({ rows, batchKey });
    expect(first.written).toBe(2);
    expect(first.alreadyWritten).toBe(0);
    expect(first.failures.map((f) => f.index)).toEqual([1, 3, 4]);
    expect(first.failures[0]?.message).toMatch(/duplicate/i);
    expect(await contents()).toEqual([
      [1, 'one'],
      [2, 'two'],
      [4, 'four'],
      [10, 'ten'],
      [11, 'eleven'],
    ]);
    // Retried: the written rows are skipped by their own keys, the bad ones fail again.
    const again = await batch({ rows, batchKey });
    expect(again).toMatchObject({ written: 0, alreadyWritten: 2 });
    expect(again.failures.map((f) => f.index)).toEqual([1, 3, 4]);
    // Even once the conflict is gone, the batch is not written whole again (no duplicates).
    await query(`DELETE FROM ${table} WHERE id = 1`);
    const third = await batch({ rows, batchKey });
    expect(third).toMatchObject({ written: 1, alreadyWritten: 2 });
    expect((await contents()).filter(([id]) => id === 10)).toHaveLength(1);
  });

  it('splits a batch bigger than one statement takes', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [1000 + i, `r${i}`, null]);
    expect(await batch({ rows, columns: ['id', 'name', 'doc'] })).toEqual({
      written: 5000,
      alreadyWritten: 0,
      failures: [],
    });
    const [[count] = []] = await query(`SELECT count(*) FROM ${table} WHERE id >= 1000`);
    expect(Number(count)).toBe(5000);
  });

  it('fails with the database message for a missing table or column, writing nothing', async () => {
    const missing = await failure(batch({ table: 'no_such_table', rows: [[1, 'x', null]] }));
    expect(missing.code).toBe('query_failed');
    expect(missing.message).toMatch(
      dialect === 'postgres' ? /relation "no_such_table" does not exist/ : /no_such_table' doesn't exist/,
    );
    const column = await failure(batch({ columns: ['id', 'nope'], rows: [[77, 'x']] }));
    expect(column.code).toBe('query_failed');
    expect(column.message).toMatch(/nope/);
    expect((await contents()).filter(([id]) => id === 77)).toEqual([]);
  });

  it('refuses identifiers that are not plain names, before connecting', () => {
    const input = (extra: Record<string, unknown>) => ({
      dialect,
      connection,
      table,
      columns: ['id'],
      rows: [[1]],
      batchKey: 'k',
      ...extra,
    });
    for (const bad of [
      { table: 'x; DROP TABLE users' },
      { table: 'a"b' },
      { columns: ['id) VALUES (1); --'] },
      { columns: ['`id`'] },
      { mode: 'upsert', keyColumns: ['other'] },
      { rows: [[1, 2]] },
    ])
      expect(() => parseInput(sqlBatchExecutor, input(bad)), JSON.stringify(bad)).toThrow(/invalid input/);
  });
});
