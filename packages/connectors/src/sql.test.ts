import { afterAll, describe, expect, it } from 'vitest';
import { ExecutorError, parseInput, type RunContext } from './executor.ts';
import { closeSqlPools, type SqlInput, sqlExecutor } from './sql.ts';

// The machine's own servers (see README → Development): PostgreSQL as the OS user, MariaDB as root.
const POSTGRES = { host: '127.0.0.1', port: 5432, database: 'test', user: 'root' };
const MYSQL = { host: '127.0.0.1', port: 3306, database: 'test', user: 'root', password: '' };

afterAll(() => closeSqlPools());

function context(extra: Partial<RunContext> = {}): RunContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 20_000, ...extra };
}

async function query(input: SqlInput, extra: Partial<RunContext> = {}) {
  const output = await sqlExecutor.run(parseInput(sqlExecutor, input), context(extra));
  let text = '';
  for await (const chunk of output.body ?? []) text += Buffer.from(chunk).toString('utf8');
  const rows = text
    ? text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown[])
    : [];
  return {
    result: output.result as { columns: { name: string; type: string }[]; rowCount: number | null },
    rows,
  };
}

async function failure(promise: Promise<unknown>): Promise<ExecutorError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ExecutorError);
  return error as ExecutorError;
}

describe('the sql executor on PostgreSQL', () => {
  const pg = (sql: string, params: SqlInput['params'] = [], extra: Partial<SqlInput> = {}) =>
    ({ dialect: 'postgres', connection: { ...POSTGRES, tls: 'prefer' }, sql, params, ...extra }) as SqlInput;

  it('runs a parameterised query: columns in the result, rows as NDJSON arrays', async () => {
    const { result, rows } = await query(
      pg(
        "SELECT $1::int AS n, $2::text AS s, '\\xdead'::bytea AS b, NULL AS z, 12345678901234::int8 AS big",
        [7, "it's"],
      ),
    );
    expect(result.columns).toEqual([
      { name: 'n', type: 'int4' },
      { name: 's', type: 'text' },
      { name: 'b', type: 'bytea' },
      { name: 'z', type: 'text' },
      { name: 'big', type: 'int8' },
    ]);
    expect(rows).toEqual([[7, "it's", '3q0=', null, '12345678901234']]);
  });

  it('keeps a parameter a value: text that looks like SQL is only text, and one statement only', async () => {
    const { rows } = await query(pg('SELECT $1::text AS v', ['1; DROP TABLE users; --']));
    expect(rows).toEqual([['1; DROP TABLE users; --']]);
    expect((await failure(query(pg('SELECT 1; SELECT 2')))).code).toBe('query_failed');
  });

  it('streams 200 000 rows in batches as they are read', async () => {
    const output = await sqlExecutor.run(
      parseInput(sqlExecutor, pg('SELECT g, md5(g::text) FROM generate_series(1, 200000) g')),
      context(),
    );
    let rows = 0;
    let chunks = 0;
    for await (const chunk of output.body ?? []) {
      chunks++;
      rows += Buffer.from(chunk).toString().split('\n').length - 1;
    }
    expect(rows).toBe(200_000);
    expect(chunks).toBeGreaterThan(100);
  });

  it('stops fetching when the reader stops, and the pool stays usable', async () => {
    const output = await sqlExecutor.run(
      parseInput(sqlExecutor, pg('SELECT g FROM generate_series(1, 1000000) g')),
      context(),
    );
    for await (const _ of output.body ?? []) break;
    const { rows } = await query(pg('SELECT 1'));
    expect(rows).toEqual([[1]]);
  });

  it('reports rows changed by a statement that returns none', async () => {
    await query(pg('CREATE TEMP TABLE IF NOT EXISTS t (v int)'));
    const { result, rows } = await query(pg('SELECT 1 WHERE false'));
    expect(rows).toEqual([]);
    expect(result.columns).toHaveLength(1);
    const inserted = await query(pg('CREATE TABLE IF NOT EXISTS outpost_sql_test (v int); ', [], {})).catch(
      () => null,
    );
    expect(inserted).not.toBeNull();
    const changed = await query(pg('INSERT INTO outpost_sql_test SELECT generate_series(1, 3)'));
    expect(changed.result).toEqual({ columns: [], rowCount: 3 });
    await query(pg('DROP TABLE outpost_sql_test'));
  });

  it('applies the statement timeout, and maps errors', async () => {
    expect((await failure(query(pg('SELECT pg_sleep(5)', [], { timeoutMs: 200 })))).code).toBe('timeout');
    expect((await failure(query(pg('SELEC 1')))).code).toBe('query_failed');
    const refused = pg('SELECT 1');
    if (typeof refused.connection === 'object') refused.connection.port = 1;
    expect((await failure(query(refused))).code).toBe('connection_refused');
    const tls = pg('SELECT 1');
    tls.connection.tls = 'require';
    expect((await failure(query(tls))).code).toBe('tls_error');
  });

  it('checks the resolved address before connecting, and connects to that address only', async () => {
    const seen: string[] = [];
    const input = pg('SELECT 1');
    input.connection.host = 'database.test';
    const { rows } = await query(input, {
      resolve: async () => ['127.0.0.1'],
      checkTarget: (target, addresses) => void seen.push(`${target.host}:${target.port} ${addresses.join()}`),
    });
    expect(rows).toEqual([[1]]);
    expect(seen).toEqual(['database.test:5432 127.0.0.1']);
    const refused = query(input, {
      resolve: async () => ['127.0.0.1'],
      checkTarget: () => {
        throw new ExecutorError('ssrf_blocked', 'no');
      },
    });
    expect((await failure(refused)).code).toBe('ssrf_blocked');
  });

  it('answers cancelled when the caller aborts a long statement', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const pending = query(pg('SELECT pg_sleep(5)'), { signal: controller.signal });
    expect((await failure(pending)).code).toBe('cancelled');
  });
});

describe('the sql executor on MariaDB', () => {
  const my = (sql: string, params: SqlInput['params'] = [], extra: Partial<SqlInput> = {}) =>
    ({ dialect: 'mysql', connection: { ...MYSQL, tls: 'prefer' }, sql, params, ...extra }) as SqlInput;

  it('runs a server-side prepared statement: columns and rows', async () => {
    const { result, rows } = await query(my('SELECT ? AS n, ? AS s, NULL AS z', [7, "it's"]));
    expect(result.columns.map((column) => column.name)).toEqual(['n', 's', 'z']);
    expect(rows).toEqual([[7, "it's", null]]);
    expect((await failure(query(my('SELECT 1; SELECT 2')))).code).toBe('query_failed');
  });

  it('streams a large result and reports rows changed', async () => {
    const output = await sqlExecutor.run(
      parseInput(sqlExecutor, my('SELECT seq, MD5(seq) FROM seq_1_to_100000')),
      context(),
    );
    let rows = 0;
    for await (const chunk of output.body ?? []) rows += Buffer.from(chunk).toString().split('\n').length - 1;
    expect(rows).toBe(100_000);
    await query(my('CREATE TABLE IF NOT EXISTS outpost_sql_test (v int)'));
    const changed = await query(my('INSERT INTO outpost_sql_test VALUES (?), (?)', [1, 2]));
    expect(changed.result).toEqual({ columns: [], rowCount: 2 });
    await query(my('DROP TABLE outpost_sql_test'));
  });

  it('applies the statement timeout and maps a refused login', async () => {
    expect((await failure(query(my('SELECT SLEEP(5)', [], { timeoutMs: 300 })))).code).toBe('timeout');
    const wrong = my('SELECT 1');
    wrong.connection.user = 'nobody_here';
    expect((await failure(query(wrong))).code).toBe('auth_failed');
  });
});
