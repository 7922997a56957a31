import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Welcome } from '@outpost/protocol/agent/frames';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from './log.ts';
import { isNewer, RETRY_AFTER_FAILURE_MS, Upgrader } from './upgrade.ts';

const OLD = "console.log('0.1.0');\n";
const NEW = "if (process.argv.includes('--version')) console.log('0.2.0');\n";
const TOKEN = 'opa_test-token';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What the test server answers to the next downloads, and what it was asked. */
let serve: { status: number; body: string };
const requests: { url: string; authorization: string | undefined }[] = [];
let server: http.Server;
let url: string;
let folder: string;
let bundle: string;
let lines: string[];
let now: number;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    requests.push({ url: request.url ?? '', authorization: request.headers.authorization });
    response.writeHead(serve.status).end(serve.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`;
});
afterAll(() => server.close());
beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'outpost-agent-upgrade-'));
  bundle = path.join(folder, 'outpost-agent.cjs');
  writeFileSync(bundle, OLD);
  chmodSync(bundle, 0o755);
  serve = { status: 200, body: NEW };
  requests.length = 0;
  lines = [];
  now = Date.parse('2026-11-28T21:00:00Z');
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const log: Logger = {
  info: (message) => lines.push(`INFO ${message}`),
  warn: (message) => lines.push(`WARN ${message}`),
  error: (message) => lines.push(`ERROR ${message}`),
};

function upgrader(options: { allowedLocally?: boolean } = {}) {
  return new Upgrader({
    bundlePath: bundle,
    url,
    token: TOKEN,
    log,
    allowedLocally: options.allowedLocally ?? true,
    currentVersion: '0.1.0',
    now: () => now,
  });
}

function welcome(overrides: Partial<Welcome> = {}): Welcome {
  return {
    type: 'welcome',
    protocol: 1,
    agentId: '0193a1b2-0000-7000-8000-000000000001',
    sessionId: '0193a1b2-0000-7000-8000-000000000002',
    heartbeatMs: 15_000,
    latestVersion: '0.2.0',
    autoUpgrade: true,
    upgrade: { version: '0.2.0', sha256: sha256(NEW), path: '/v1/agent/bundle' },
    ...overrides,
  };
}

const leftovers = () => readdirSync(folder).filter((name) => name.startsWith('.'));

describe('auto-upgrade', () => {
  it('downloads the announced version with the agent token, checks it, swaps it in and keeps the old one', async () => {
    expect(await upgrader().consider(welcome())).toEqual({ from: '0.1.0', to: '0.2.0' });
    expect(requests).toEqual([{ url: '/base/v1/agent/bundle', authorization: `Bearer ${TOKEN}` }]);
    expect(readFileSync(bundle, 'utf8')).toBe(NEW);
    expect(statSync(bundle).mode & 0o777).toBe(0o755);
    expect(readFileSync(`${bundle}.previous`, 'utf8')).toBe(OLD);
    expect(leftovers()).toEqual([]);
    expect(lines).toEqual(['INFO upgrading from 0.1.0 to 0.2.0']);
  });

  it('refuses a download whose digest differs, stays on the running version, and waits an hour', async () => {
    serve = { status: 200, body: `${NEW}// tampered\n` };
    const agent = upgrader();
    expect(await agent.consider(welcome())).toBeNull();
    expect(readFileSync(bundle, 'utf8')).toBe(OLD);
    expect(leftovers()).toEqual([]);
    expect(lines).toContain('WARN auto-upgrade to 0.2.0 failed: digest mismatch; staying on 0.1.0');

    now += RETRY_AFTER_FAILURE_MS - 1;
    expect(await agent.consider(welcome())).toBeNull();
    expect(requests).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/the last attempt failed, the next one is not before 2026-11-28T22:00:00/);

    serve = { status: 200, body: NEW };
    now += 1;
    expect(await agent.consider(welcome())).toEqual({ from: '0.1.0', to: '0.2.0' });
    expect(requests).toHaveLength(2);
  });

  it('refuses a bundle that does not run or says it is another version', async () => {
    for (const [body, why] of [
      ['this is not javascript', /the new bundle does not run \(.*SyntaxError/],
      ["console.log('9.9.9')", /the new bundle says it is "9\.9\.9", not 0\.2\.0/],
    ] as const) {
      serve = { status: 200, body };
      expect(
        await upgrader().consider(
          welcome({ upgrade: { version: '0.2.0', sha256: sha256(body), path: '/v1/agent/bundle' } }),
        ),
      ).toBeNull();
      expect(lines.at(-1)).toMatch(why);
      expect(lines.at(-1)).toMatch(/^WARN auto-upgrade to 0\.2\.0 failed: .*; staying on 0\.1\.0$/);
      expect(readFileSync(bundle, 'utf8')).toBe(OLD);
      expect(leftovers()).toEqual([]);
    }
  });

  it('says why a download was refused', async () => {
    serve = { status: 401, body: '{"error":{}}' };
    expect(await upgrader().consider(welcome())).toBeNull();
    expect(lines.at(-1)).toBe(
      'WARN auto-upgrade to 0.2.0 failed: download failed (HTTP 401); staying on 0.1.0',
    );
  });

  it('downloads nothing when Outpost or the local config turns it off, or nothing newer is offered', async () => {
    const cases: [Upgrader, Welcome, string | undefined][] = [
      [upgrader(), welcome({ autoUpgrade: false }), 'auto-upgrade is off for this agent in Outpost'],
      [
        upgrader({ allowedLocally: false }),
        welcome(),
        'auto-upgrade is off in the local config (autoUpgrade: false)',
      ],
      [upgrader(), welcome({ upgrade: undefined }), 'this Outpost offers no download of it'],
      [upgrader(), welcome({ latestVersion: '0.1.0' }), undefined],
      [upgrader(), welcome({ latestVersion: '0.0.9' }), undefined],
    ];
    for (const [agent, offer, line] of cases) {
      lines = [];
      expect(await agent.consider(offer)).toBeNull();
      expect(await agent.consider(offer)).toBeNull();
      if (line) expect(lines).toEqual([`INFO agent 0.2.0 is available (this is 0.1.0); ${line}`]);
      else expect(lines).toEqual([]);
    }
    expect(requests).toEqual([]);
    expect(readFileSync(bundle, 'utf8')).toBe(OLD);
  });

  it('puts the previous bundle back when the new one does not take over', async () => {
    const agent = upgrader();
    const upgraded = await agent.consider(welcome());
    if (!upgraded) throw new Error('expected an upgrade');
    await agent.rollBack(upgraded, 'the new agent exited (exit code 1) before it took over');
    expect(readFileSync(bundle, 'utf8')).toBe(OLD);
    expect(leftovers()).toEqual([]);
    expect(lines.at(-1)).toBe(
      'WARN auto-upgrade to 0.2.0 failed: the new agent exited (exit code 1) before it took over; staying on 0.1.0',
    );
    expect(await agent.consider(welcome())).toBeNull();
    expect(requests).toHaveLength(1);
  });
});

describe('version order', () => {
  it('compares major.minor.patch numerically; anything else is never newer', () => {
    expect(isNewer('0.2.0', '0.1.9')).toBe(true);
    expect(isNewer('0.10.0', '0.9.0')).toBe(true);
    expect(isNewer('1.0.0', '0.99.99')).toBe(true);
    expect(isNewer('0.1.0', '0.1.0')).toBe(false);
    expect(isNewer('0.1.0', '0.2.0')).toBe(false);
    expect(isNewer('0.2.0-beta', '0.1.0')).toBe(false);
    expect(isNewer('0.2.0', '0.0.0-dev')).toBe(false);
  });
});
