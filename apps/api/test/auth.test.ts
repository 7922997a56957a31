import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  logIn,
  PASSWORD,
  sessionCookie,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('sign-up', () => {
  it('creates a MULTI_ENV account with its own Production and Sandbox scopes and signs in', async () => {
    const { me, cookie } = await signUp(t.app);
    expect(me.account.license).toBe('MULTI_ENV');
    expect(me.role).toBe('OWNER');
    expect(me.environments.map((environment) => environment.slug)).toEqual(['production', 'sandbox']);
    const environments = await t.db.environment.findMany({ where: { accountId: me.account.id } });
    expect(new Set(environments.map((environment) => environment.scopeId)).size).toBe(2);
    expect((await call(t.app, 'GET', '/v1/me', { as: { cookie } })).statusCode).toBe(200);
  });

  it('creates a LEGACY account whose Production and Sandbox share one scope', async () => {
    const { me } = await signUp(t.app, { license: 'LEGACY' });
    expect(me.account.license).toBe('LEGACY');
    const environments = await t.db.environment.findMany({ where: { accountId: me.account.id } });
    expect(environments).toHaveLength(2);
    expect(new Set(environments.map((environment) => environment.scopeId)).size).toBe(1);
  });

  it('stores an Argon2id hash, never the password', async () => {
    const { me } = await signUp(t.app);
    const user = await t.db.user.findUniqueOrThrow({ where: { id: me.user.id } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user.passwordHash).not.toContain(PASSWORD);
  });

  it('sets an HttpOnly, SameSite session cookie and stores only its hash', async () => {
    const response = await call(t.app, 'POST', '/v1/auth/signup', {
      body: { email: uniqueEmail(), password: PASSWORD, accountName: 'Cookie Co' },
    });
    const cookie = response.cookies.find((candidate) => candidate.name === 'outpost_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    const stored = await t.db.session.findMany({ where: { userId: response.json().user.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).not.toBe(cookie?.value);
    expect(stored[0]?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 409 for an e-mail already signed up, in any letter case, and creates nothing', async () => {
    const email = uniqueEmail('dup');
    await signUp(t.app, { email });
    const accountsBefore = await t.db.account.count();
    const response = await call(t.app, 'POST', '/v1/auth/signup', {
      body: { email: email.toUpperCase(), password: PASSWORD, accountName: 'Again' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('conflict');
    expect(await t.db.account.count()).toBe(accountsBefore);
  });

  it('names every invalid field', async () => {
    const response = await call(t.app, 'POST', '/v1/auth/signup', {
      body: { email: 'nope', password: 'short', license: 'GOLD' },
    });
    expect(response.statusCode).toBe(400);
    const paths = response.json().error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.email', 'body.password', 'body.accountName', 'body.license']),
    );
    expect(response.json().error.requestId).toBeTruthy();
  });
});

describe('log-in and log-out', () => {
  it('signs in with the right password and refuses a wrong one with the same message as an unknown e-mail', async () => {
    const { email } = await signUp(t.app);
    expect(await logIn(t.app, email)).toBeTruthy();
    const wrong = await call(t.app, 'POST', '/v1/auth/login', {
      body: { email, password: 'not the password' },
    });
    const unknown = await call(t.app, 'POST', '/v1/auth/login', {
      body: { email: uniqueEmail(), password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
  });

  it('revokes the session on log-out', async () => {
    const { email } = await signUp(t.app);
    const cookie = await logIn(t.app, email);
    expect((await call(t.app, 'POST', '/v1/auth/logout', { as: { cookie } })).statusCode).toBe(204);
    const after = await call(t.app, 'GET', '/v1/me', { as: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthenticated');
  });

  it('refuses a cookie request that changes state without the client header (CSRF)', async () => {
    const { cookie } = await signUp(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { cookie: `outpost_session=${cookie}` },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('csrf_failed');
    expect((await call(t.app, 'GET', '/v1/me', { as: { cookie } })).statusCode).toBe(200);
  });

  it('rate-limits sign-up per address and log-in per address and e-mail', async () => {
    const limited = await startTestApp({ OUTPOST_AUTH_RATE_LIMIT: '3' });
    try {
      const email = uniqueEmail('limited');
      const attempt = () =>
        call(limited.app, 'POST', '/v1/auth/login', { body: { email, password: 'wrong password' } }).then(
          (response) => response.statusCode,
        );
      expect([await attempt(), await attempt(), await attempt()]).toEqual([401, 401, 401]);
      expect(await attempt()).toBe(429);
      // Another e-mail from the same address is not locked out.
      const other = await call(limited.app, 'POST', '/v1/auth/login', {
        body: { email: uniqueEmail(), password: 'x' },
      });
      expect(other.statusCode).toBe(401);
      const signups = [];
      for (let i = 0; i < 4; i++) {
        signups.push(
          (
            await call(limited.app, 'POST', '/v1/auth/signup', {
              body: { email: uniqueEmail(), password: PASSWORD, accountName: 'A' },
            })
          ).statusCode,
        );
      }
      expect(signups).toEqual([201, 201, 201, 429]);
    } finally {
      await limited.close();
    }
  });

  it('answers 401 for /v1/me without a session, and for an unknown environment 404', async () => {
    expect((await call(t.app, 'GET', '/v1/me')).statusCode).toBe(401);
    const { cookie } = await signUp(t.app);
    const response = await call(t.app, 'GET', '/v1/me', { as: { cookie }, environment: 'staging' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('unknown_environment');
  });

  it('keeps the session cookie value out of the set-cookie of other sessions', async () => {
    const first = await signUp(t.app);
    const response = await call(t.app, 'POST', '/v1/auth/login', {
      body: { email: first.email, password: PASSWORD },
    });
    expect(sessionCookie(response)).not.toBe(first.cookie);
  });
});
