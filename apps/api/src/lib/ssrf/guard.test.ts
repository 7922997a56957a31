import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutorError, parseInput, type RunContext } from '@outpost/connectors/executor';
import { httpExecutor } from '@outpost/connectors/http';
import { sqlExecutor } from '@outpost/connectors/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, legacyIPv4 } from './addresses.ts';
import { cloudGuard, literalAddress, type PrivateTargets, refuseLiteralHost, SSRF_MESSAGE } from './guard.ts';

const STRICT: PrivateTargets = { allow: 'none' };

/** Host forms that must all be refused: each a way to write a private address. */
const BYPASS_CORPUS: [host: string, kind: string][] = [
  ['127.0.0.1', 'loopback'],
  ['127.1', 'loopback'],
  ['127.0.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['0x7f.0.0.1', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['0177.1', 'loopback'],
  ['017700000001', 'loopback'],
  ['0', 'unspecified'],
  ['0.0.0.0', 'unspecified'],
  ['::', 'unspecified'],
  ['[::]', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::127.0.0.1', 'loopback'],
  ['::ffff:10.0.0.5', 'private'],
  ['64:ff9b::10.0.0.5', 'private'],
  ['2002:a00:5::1', 'private'],
  ['10.0.0.5', 'private'],
  ['012.0.0.5', 'private'],
  ['167772165', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'cgnat'],
  ['169.254.1.1', 'link_local'],
  ['169.254.169.254', 'metadata'],
  ['0xa9fea9fe', 'metadata'],
  ['2852039166', 'metadata'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['fd00:ec2::254', 'metadata'],
  ['fc00::1', 'unique_local'],
  ['fd12:3456::1', 'unique_local'],
  ['fe80::1', 'link_local'],
  ['fe80::1%eth0', 'link_local'],
  ['224.0.0.1', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '172.32.0.1',
  '100.128.0.1',
  '2606:4700:4700::1111',
  '::ffff:8.8.8.8',
];

describe('addresses', () => {
  it.each(BYPASS_CORPUS)('%s is %s', (host, kind) => {
    const address = literalAddress(host);
    expect(address, `${host} as an address`).not.toBeNull();
    expect(classifyAddress(address ?? '')).toBe(kind);
  });

  it.each(PUBLIC)('%s is public', (address) => {
    expect(classifyAddress(address)).toBe('public');
  });

  it('reads IPv4 literals the way inet_aton does, and nothing else', () => {
    expect(legacyIPv4('1.2.3')).toBe('1.2.0.3');
    expect(legacyIPv4('1.65538')).toBe('1.1.0.2');
    expect(legacyIPv4('0x')).toBe('0.0.0.0');
    for (const name of [
      'example.com',
      '1.2.3.4.5',
      '256.1.1.1',
      '1.2.3.256',
      '4294967296',
      '08.0.0.1',
      '1e3',
      '',
    ])
      expect(legacyIPv4(name), name).toBeNull();
  });
});

describe('the Cloud guard', () => {
  const guard = cloudGuard(STRICT);

  it.each(BYPASS_CORPUS)('refuses %s written as the host', (host) => {
    expect(() => guard({ host, port: 80 }, [])).toThrow(
      expect.objectContaining({ code: 'ssrf_blocked', message: expect.stringContaining(SSRF_MESSAGE) }),
    );
  });

  it('refuses a name when any of its addresses is private, and names both', () => {
    expect(() => guard({ host: 'intranet.example', port: 443 }, ['93.184.216.34', '10.1.2.3'])).toThrow(
      /intranet\.example:443 → 10\.1\.2\.3 is a private address/,
    );
    expect(() => guard({ host: 'api.example', port: 443 }, ['93.184.216.34'])).not.toThrow();
  });

  it('allows private targets when configured, but never cloud metadata unless named', () => {
    const all = cloudGuard({ allow: 'all' });
    expect(() => all({ host: '10.0.0.5', port: 80 }, ['10.0.0.5'])).not.toThrow();
    expect(() => all({ host: '::1', port: 80 }, ['::1'])).not.toThrow();
    expect(() => all({ host: '169.254.169.254', port: 80 }, ['169.254.169.254'])).toThrow(/cloud metadata/);
    const some = cloudGuard({ allow: 'networks', networks: ['10.0.0.0/8', '169.254.169.254'] });
    expect(() => some({ host: '10.9.9.9', port: 80 }, ['10.9.9.9'])).not.toThrow();
    expect(() => some({ host: '169.254.169.254', port: 80 }, ['169.254.169.254'])).not.toThrow();
    expect(() => some({ host: '192.168.0.1', port: 80 }, ['192.168.0.1'])).toThrow(/private address/);
  });

  it('refuses localhost and literals in a form, before any DNS', () => {
    expect(refuseLiteralHost('localhost', STRICT)).toContain(SSRF_MESSAGE);
    expect(refuseLiteralHost('api.localhost', STRICT)).toContain(SSRF_MESSAGE);
    expect(refuseLiteralHost('[::ffff:127.0.0.1]', STRICT)).toContain(SSRF_MESSAGE);
    expect(refuseLiteralHost('0177.0.0.1', STRICT)).toContain(SSRF_MESSAGE);
    expect(refuseLiteralHost('api.example.com', STRICT)).toBeNull();
    expect(refuseLiteralHost('8.8.8.8', STRICT)).toBeNull();
    expect(refuseLiteralHost('10.0.0.5', { allow: 'all' })).toBeNull();
  });
});

/**
 * The guard in the executors, for real: "public" is simulated by allowing one loopback address,
 * 127.0.0.2, and answering DNS with a resolver hook; everything else on loopback stays private.
 */
describe('the Cloud guard in the executors', () => {
  const publicAddress = '127.0.0.2';
  const guard = cloudGuard({ allow: 'networks', networks: [`${publicAddress}/32`] });
  let port: number;
  const hits: string[] = [];
  let publicServer: http.Server;
  let privateServer: http.Server;

  beforeAll(async () => {
    const route = (name: string) => (request: http.IncomingMessage, response: http.ServerResponse) => {
      hits.push(`${name} ${request.url}`);
      const url = new URL(request.url ?? '/', 'http://x');
      const to = url.searchParams.get('to');
      if (url.pathname === '/redirect' && to) response.writeHead(302, { location: to }).end();
      else response.end(name);
    };
    publicServer = http.createServer(route('public'));
    publicServer.listen(0, publicAddress);
    await once(publicServer, 'listening');
    port = (publicServer.address() as AddressInfo).port;
    // The same port on 127.0.0.1: where a rebinding or a redirect would land.
    privateServer = http.createServer(route('private'));
    privateServer.listen(port, '127.0.0.1');
    await once(privateServer, 'listening');
  });
  afterAll(() => {
    for (const server of [publicServer, privateServer]) {
      server.closeAllConnections();
      server.close();
    }
  });

  function context(resolve: (host: string) => Promise<string[]>): RunContext {
    return {
      signal: new AbortController().signal,
      deadline: Date.now() + 5_000,
      checkTarget: guard,
      resolve,
    };
  }

  async function get(url: string, resolve: (host: string) => Promise<string[]>) {
    const output = await httpExecutor.run(parseInput(httpExecutor, { method: 'GET', url }), context(resolve));
    let text = '';
    for await (const chunk of output.body ?? []) text += Buffer.from(chunk).toString();
    return text;
  }

  async function refusal(promise: Promise<unknown>): Promise<ExecutorError> {
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ExecutorError);
    return error as ExecutorError;
  }

  it('reaches a public host, and refuses one that resolves to a private address', async () => {
    expect(await get(`http://api.example:${port}/`, async () => [publicAddress])).toBe('public');
    const error = await refusal(get(`http://intranet.example:${port}/`, async () => ['127.0.0.1']));
    expect(error.code).toBe('ssrf_blocked');
    expect(hits).not.toContain('private /');
  });

  it('connects to the address it checked when the DNS answer changes between look-ups (rebinding)', async () => {
    let lookups = 0;
    const rebinding = async () => (lookups++ === 0 ? [publicAddress] : ['127.0.0.1']);
    hits.length = 0;
    expect(await get(`http://rebind.example:${port}/once`, rebinding)).toBe('public');
    expect(lookups).toBe(1);
    expect(hits).toEqual(['public /once']);
  });

  it('checks every redirect hop: to a private literal, to a name that resolves privately, to [::]', async () => {
    const resolve = async (host: string) => (host === 'api.example' ? [publicAddress] : ['10.0.0.7']);
    for (const to of [
      `http://127.0.0.1:${port}/landed`,
      `http://2130706433:${port}/landed`,
      `http://0177.0.0.1:${port}/landed`,
      `http://[::ffff:127.0.0.1]:${port}/landed`,
      `http://[::]:${port}/landed`,
      `http://internal.example:${port}/landed`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      hits.length = 0;
      const error = await refusal(
        get(`http://api.example:${port}/redirect?to=${encodeURIComponent(to)}`, resolve),
      );
      expect(error.code, to).toBe('ssrf_blocked');
      expect(hits, to).toEqual([`public /redirect?to=${encodeURIComponent(to)}`]);
    }
  });

  it('refuses a SQL host that resolves to a private address before connecting', async () => {
    const input = parseInput(sqlExecutor, {
      dialect: 'postgres',
      connection: { host: 'db.example', database: 'test', user: 'root' },
      sql: 'SELECT 1',
    });
    const error = await refusal(
      sqlExecutor.run(
        input,
        context(async () => ['127.0.0.1']),
      ),
    );
    expect(error.code).toBe('ssrf_blocked');
    const literal = parseInput(sqlExecutor, {
      dialect: 'mysql',
      connection: { host: '0177.0.0.1', database: 'test', user: 'root' },
      sql: 'SELECT 1',
    });
    expect(
      (
        await refusal(
          sqlExecutor.run(
            literal,
            context(async () => [publicAddress]),
          ),
        )
      ).code,
    ).toBe('ssrf_blocked');
  });
});
