import { describe, expect, it } from 'vitest';
import { endpointOf, hostOf, isPrivateHost } from './addresses';
import { failureTitle, formatDuration } from './test-outcome';

describe('the host of a base URI or host field', () => {
  it('reads URLs, bare hosts and IPv6 literals', () => {
    expect(hostOf('http://LocalHost:8080/api')).toBe('localhost');
    expect(hostOf('https://[::1]:443')).toBe('::1');
    expect(hostOf(' db.internal. ')).toBe('db.internal');
    expect(hostOf('')).toBeNull();
    expect(hostOf('http://')).toBeNull();
  });
});

describe('private hosts, which a Cloud connection cannot reach', () => {
  it.each([
    'localhost',
    'api.localhost',
    '127.0.0.1',
    '10.0.0.5',
    '172.16.4.1',
    '192.168.1.20',
    '169.254.169.254',
    '100.64.0.1',
    '::1',
    '::ffff:127.0.0.1',
    'fd12:3456::1',
    'fe80::1',
  ])('%s is private', (host) => {
    expect(isPrivateHost(host)).toBe(true);
  });

  it.each(['erp.example.com', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '192.169.0.1'])(
    '%s is not',
    (host) => {
      expect(isPrivateHost(host)).toBe(false);
    },
  );
});

describe('what the list shows', () => {
  it('shows the base URI, or host:port/database', () => {
    expect(endpointOf({ http: { baseUri: 'http://localhost:8080' } as never, sql: null })).toBe(
      'http://localhost:8080',
    );
    expect(
      endpointOf({
        http: null,
        sql: { host: 'db', port: 5432, database: 'orders', user: 'u', tls: 'prefer', passwordSet: false },
      }),
    ).toBe('db:5432/orders');
    expect(
      endpointOf({
        http: null,
        sql: { host: 'fd00::5', database: 'orders', user: 'u', tls: 'prefer', passwordSet: false },
      }),
    ).toBe('[fd00::5]/orders');
  });

  it('names test failures by their code', () => {
    expect(failureTitle('agent_offline')).toBe('Agent offline');
    expect(failureTitle('connection_refused')).toBe('Connection refused');
    expect(failureTitle('ssrf_blocked')).toBe('Blocked: private address — choose On-premise');
    expect(failureTitle('http_502')).toBe('The server answered HTTP 502');
    expect(failureTitle('something_new')).toBe('Test failed');
  });

  it('formats durations', () => {
    expect(formatDuration(38.4)).toBe('38 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(15_000)).toBe('15 s');
  });
});
