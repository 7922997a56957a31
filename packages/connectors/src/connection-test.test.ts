import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServers, type TestServers } from '../test/fixtures/test-servers.mjs';
import { type ConnectionProbe, type ConnectionTestInput, connectionTestExecutor } from './connection-test.ts';
import { ExecutorError, parseInput, type RunContext } from './executor.ts';
import { closeSqlPools } from './sql.ts';

let servers: TestServers;
let base: string;

beforeAll(async () => {
  servers = await startTestServers();
  base = `http://127.0.0.1:${servers.httpPort}`;
});
afterAll(async () => {
  await servers.close();
  await closeSqlPools();
});

async function probe(input: ConnectionTestInput, extra: Partial<RunContext> = {}): Promise<ConnectionProbe> {
  const output = await connectionTestExecutor.run(parseInput(connectionTestExecutor, input), {
    signal: new AbortController().signal,
    deadline: Date.now() + 10_000,
    ...extra,
  });
  return output.result as ConnectionProbe;
}

describe('the connection.test executor', () => {
  it('says what happened, for HTTP', async () => {
    expect(await probe({ type: 'http', url: `${base}/health` })).toMatchObject({ ok: true, code: 'ok' });
    expect(await probe({ type: 'http', url: `${base}/orders` })).toMatchObject({
      ok: false,
      code: 'http_401',
      message: expect.stringContaining('credentials were refused'),
    });
    expect(
      await probe({ type: 'http', url: `${base}/key`, headers: { 'x-api-key': 'k-123' } }),
    ).toMatchObject({
      ok: true,
    });
    expect(await probe({ type: 'http', url: `${base}/nothing` })).toMatchObject({ code: 'http_404' });
    expect(await probe({ type: 'http', url: 'http://127.0.0.1:1/' })).toMatchObject({
      code: 'connection_refused',
      message: expect.stringContaining('Check the port'),
    });
    expect(await probe({ type: 'http', url: 'http://no-such-host.invalid/' })).toMatchObject({
      code: 'dns_failed',
    });
    const blocked = await probe(
      { type: 'http', url: `${base}/health` },
      {
        checkTarget: () => {
          throw new ExecutorError('ssrf_blocked', 'This address is inside a private network.');
        },
      },
    );
    expect(blocked).toEqual({
      ok: false,
      code: 'ssrf_blocked',
      message: 'This address is inside a private network.',
    });
  });

  it('says what happened, for SQL', async () => {
    const postgres = await probe({
      type: 'sql',
      dialect: 'postgres',
      connection: { host: '127.0.0.1', database: 'test', user: 'root' },
    });
    expect(postgres).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^Connected to PostgreSQL \d+/),
    });
    const mysql = await probe({
      type: 'sql',
      dialect: 'mysql',
      connection: { host: '127.0.0.1', database: 'test', user: 'nobody_here' },
    });
    expect(mysql).toMatchObject({
      ok: false,
      code: 'auth_failed',
      message: expect.stringMatching(/user name/),
    });
  });

  it('times out with the test timeout', async () => {
    const net = await import('node:net');
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const result = await probe({ type: 'http', url: `http://127.0.0.1:${port}/`, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
    silent.close();
  });
});
