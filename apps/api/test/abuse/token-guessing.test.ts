import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { generateToken } from '@outpost/protocol/tokens';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createApiToken,
  PASSWORD,
  requestHeaders,
  type SignedUp,
  sessionCookie,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from '../helpers.ts';
import { deleteKeys, REDIS_URL, requireRedis, testPrefix } from '../scale-out/cluster.ts';

/**
 * Guessing API tokens, passwords and agent tokens is throttled per address and per person, with
 * 429 and Retry-After, before the guess is checked; refused guesses are audited where an account is
 * known and logged (never the token) where it is not. OUTPOST_AUTH_RATE_LIMIT=3: 9 failures per
 * address per minute, 9 failed log-ins per e-mail per 15 minutes.
 */

const RATE = 3;
const FAILURES = 3 * RATE;

let t: TestApp;
let owner: SignedUp;
let ownerToken: string;
const lines: string[] = [];

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  t = await startTestApp({ OUTPOST_AUTH_RATE_LIMIT: String(RATE), LOG_LEVEL: 'info' }, { logStream });
  owner = await signUp(t.app);
  ownerToken = (await createApiToken(t.app, { cookie: owner.cookie }, { role: 'ADMIN' })).token;
});
afterAll(() => t.close());

/** Signs up from an address of its own: sign-up is limited per address too. */
async function signUp(app: FastifyInstance): Promise<SignedUp> {
  const email = uniqueEmail('guessed');
  const response = await from(app, newAddress(), 'POST', '/v1/auth/signup', {
    body: { email, password: PASSWORD, accountName: 'Guessed' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return { cookie: sessionCookie(response), me: response.json(), email };
}

/** A fresh address per request or test, so that tests do not share counts. */
let lastOctet = 0;
const newAddress = () => {
  lastOctet += 1;
  return `10.20.${Math.floor(lastOctet / 250)}.${(lastOctet % 250) + 1}`;
};

function from(
  app: FastifyInstance,
  remoteAddress: string,
  method: 'GET' | 'POST',
  url: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    remoteAddress,
    headers: requestHeaders({ headers: options.headers ?? {} }),
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const logIn = (app: FastifyInstance, address: string, email: string, password: string) =>
  from(app, address, 'POST', '/v1/auth/login', { body: { email, password } });

function expectThrottled(response: LightMyRequestResponse, windowSeconds: number) {
  expect(response.statusCode, response.body).toBe(429);
  expect(response.json().error.code).toBe('rate_limited');
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

describe('API tokens (opk_) on /v1 routes', () => {
  it('refuses an address that sent too many bad tokens, even with a good one, and lets others in', async () => {
    const attacker = newAddress();
    const guesses = [
      'not-a-token',
      `opk_${randomBytes(20).toString('hex')}`, // right prefix, bad checksum
      generateToken('agent'), // an agent token
      ...Array.from({ length: FAILURES - 4 }, () => generateToken('apiToken')), // well-formed, unknown
    ];
    for (const token of guesses) {
      const response = await from(t.app, attacker, 'GET', '/v1/agents', { headers: bearer(token) });
      expect(response.statusCode, response.body).toBe(401);
    }
    const basic = await from(t.app, attacker, 'GET', '/v1/agents', {
      headers: { authorization: 'Basic eDp5' },
    });
    expect(basic.statusCode).toBe(401);

    // Used up: refused before the token is looked at, the right one too.
    expectThrottled(await from(t.app, attacker, 'GET', '/v1/agents', { headers: bearer(ownerToken) }), 60);
    expectThrottled(await from(t.app, attacker, 'GET', '/v1/agents', { headers: bearer('garbage') }), 60);
    // Another address is not affected, nor is a browser session from the same address.
    expect(
      (await from(t.app, newAddress(), 'GET', '/v1/agents', { headers: bearer(ownerToken) })).statusCode,
    ).toBe(200);
    const session = await t.app.inject({
      method: 'GET',
      url: '/v1/agents',
      remoteAddress: attacker,
      headers: requestHeaders({ as: { cookie: owner.cookie } }),
    });
    expect(session.statusCode).toBe(200);

    // Logged with the address, never the token; no account to audit it in.
    const refused = lines.filter((line) => line.includes('"auth.token_rejected"'));
    expect(refused.filter((line) => line.includes(attacker))).toHaveLength(FAILURES);
    for (const token of [...guesses, ownerToken]) expect(lines.join('\n')).not.toContain(token);
  });

  it('counts only refused tokens: a program with a good token is never throttled', async () => {
    const address = newAddress();
    for (let i = 0; i < FAILURES * 3; i++) {
      const response = await from(t.app, address, 'GET', '/v1/environments', { headers: bearer(ownerToken) });
      expect(response.statusCode).toBe(200);
    }
  });
});

describe('log-in', () => {
  it("throttles one person's e-mail guessed from many addresses, audits it, and leaves others alone", async () => {
    const victim = await signUp(t.app);
    for (let i = 0; i < FAILURES; i++) {
      const response = await logIn(t.app, newAddress(), victim.email, `wrong password ${i}`);
      expect(response.statusCode, response.body).toBe(401);
    }
    // The right password from a new address is refused too: a throttled guess learns nothing.
    const address = newAddress();
    expectThrottled(await logIn(t.app, address, victim.email, PASSWORD), 15 * 60);
    expectThrottled(await logIn(t.app, address, victim.email.toUpperCase(), PASSWORD), 15 * 60);
    // Someone else signs in from that address.
    expect((await logIn(t.app, address, owner.email, PASSWORD)).statusCode).toBe(200);

    // The victim's still valid session sees each failure and the throttle in the account's audit log.
    const audit = await call(t.app, 'GET', '/v1/audit-events?limit=100', { as: { cookie: victim.cookie } });
    const actions = (audit.json().items as { action: string; ipAddress: string; metadata: unknown }[]).map(
      (event) => event.action,
    );
    expect(actions.filter((action) => action === 'auth.sign_in_failed')).toHaveLength(FAILURES);
    expect(actions.filter((action) => action === 'auth.sign_in_throttled')).toHaveLength(1);
    const throttled = audit
      .json()
      .items.find((event: { action: string }) => event.action === 'auth.sign_in_throttled');
    expect(throttled.metadata).toEqual({ failures: FAILURES, windowMinutes: 15 });
    expect(JSON.stringify(audit.json())).not.toContain('wrong password');
  });

  it('does not lock an address out for failed log-ins of many e-mails (browsers share the web app’s address)', async () => {
    const shared = newAddress();
    for (let i = 0; i < FAILURES * 2; i++) {
      const email = `nobody-${i}-${randomBytes(3).toString('hex')}@example.test`;
      const response = await logIn(t.app, shared, email, `wrong password ${i}`);
      expect(response.statusCode, response.body).toBe(401);
    }
    const someone = await signUp(t.app);
    expect((await logIn(t.app, shared, someone.email, PASSWORD)).statusCode).toBe(200);
    // One e-mail from one address is still limited by the log-in route (3 a minute), with Retry-After.
    for (let i = 0; i < RATE; i++) await logIn(t.app, shared, someone.email, 'a wrong password');
    expectThrottled(await logIn(t.app, shared, someone.email, PASSWORD), 60);
  });
});

describe('agent tokens (opa_) at the hub', () => {
  const connect = (address: string, token: string) =>
    from(t.app, address, 'GET', '/v1/agent/connect', { headers: bearer(token) });

  async function newAgentToken(): Promise<string> {
    const agent = await call(t.app, 'POST', '/v1/agents', {
      as: { cookie: owner.cookie },
      body: { name: `guessed ${randomBytes(3).toString('hex')}` },
    });
    return (
      await call(t.app, 'GET', `/v1/agents/${agent.json().id}/token`, { as: { cookie: owner.cookie } })
    ).json().token;
  }

  it('refuses an address after 60 connection attempts, with Retry-After, and logs the refused tokens', async () => {
    const token = await newAgentToken();
    const attacker = newAddress();
    for (let i = 0; i < 60; i++) {
      const guess = i % 3 === 0 ? `opa_${randomBytes(10).toString('hex')}` : generateToken('agent');
      expect((await connect(attacker, guess)).statusCode).toBe(401);
    }
    expectThrottled(await connect(attacker, token), 60);
    // The same token from elsewhere gets to the upgrade (426: inject cannot upgrade).
    expect((await connect(newAddress(), token)).statusCode).toBe(426);
    const refused = lines.filter(
      (line) => line.includes('"agent.token_rejected"') && line.includes(attacker),
    );
    expect(refused).toHaveLength(60);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('refuses one token tried from many addresses after 30 attempts', async () => {
    const guess = generateToken('agent');
    for (let i = 0; i < 30; i++) expect((await connect(newAddress(), guess)).statusCode).toBe(401);
    const address = newAddress();
    expectThrottled(await connect(address, guess), 60);
    // That address may still try another token.
    expect((await connect(address, generateToken('agent'))).statusCode).toBe(401);
  });
});

describe('with REDIS_URL the counts are shared by every instance', () => {
  const prefix = testPrefix();
  const instances: TestApp[] = [];

  beforeAll(async () => {
    await requireRedis();
    const env = {
      OUTPOST_AUTH_RATE_LIMIT: String(RATE),
      REDIS_URL,
      OUTPOST_REDIS_PREFIX: prefix,
      OUTPOST_SECRET_KEY: randomBytes(32).toString('hex'),
    };
    instances.push(await startTestApp(env), await startTestApp(env));
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await deleteKeys(prefix);
  });

  it('bad API tokens at one instance throttle the address at the other', async () => {
    const [first, second] = instances as [TestApp, TestApp];
    const attacker = newAddress();
    for (let i = 0; i < FAILURES; i++) {
      const response = await from(first.app, attacker, 'GET', '/v1/agents', {
        headers: bearer(generateToken('apiToken')),
      });
      expect(response.statusCode, response.body).toBe(401);
    }
    expectThrottled(
      await from(second.app, attacker, 'GET', '/v1/agents', { headers: bearer(generateToken('apiToken')) }),
      60,
    );
    expect(
      (
        await from(second.app, newAddress(), 'GET', '/v1/agents', {
          headers: bearer(generateToken('apiToken')),
        })
      ).statusCode,
    ).toBe(401);
  });

  it("one person's failed log-ins at both instances add up", async () => {
    const [first, second] = instances as [TestApp, TestApp];
    const person = await signUp(second.app);
    for (let i = 0; i < FAILURES; i++) {
      const app = (i % 2 ? first : second).app;
      expect((await logIn(app, newAddress(), person.email, 'a wrong password')).statusCode).toBe(401);
    }
    expectThrottled(await logIn(first.app, newAddress(), person.email, PASSWORD), 15 * 60);
    expectThrottled(await logIn(second.app, newAddress(), person.email, PASSWORD), 15 * 60);
  });
});
