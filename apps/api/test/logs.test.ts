import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createApiToken, PASSWORD, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const lines: string[] = [];

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  t = await startTestApp({ LOG_LEVEL: 'trace' }, { logStream });
});
afterAll(() => t.close());

describe('logs', () => {
  it('are structured, carry the request id, and never hold a password, cookie, token or OAuth code', async () => {
    const owner = await signUp(t.app);
    const apiToken = await createApiToken(t.app, { cookie: owner.cookie });
    await call(t.app, 'GET', '/v1/environments', { as: { apiToken: apiToken.token } });
    const agent = (
      await call(t.app, 'POST', '/v1/agents', { as: { cookie: owner.cookie }, body: { name: 'logged' } })
    ).json();
    const agentToken = (
      await call(t.app, 'GET', `/v1/agents/${agent.id}/token`, { as: { cookie: owner.cookie } })
    ).json().token;
    await call(t.app, 'POST', '/v1/auth/login', {
      body: { email: owner.email, password: 'a wrong password' },
    });
    await t.app.inject({
      method: 'GET',
      url: '/v1/agent/connect',
      headers: { authorization: `Bearer ${agentToken}` },
    });
    await call(
      t.app,
      'GET',
      '/v1/oauth/callback?code=the-authorization-code&state=the-state-value&other=kept',
      {
        as: { cookie: owner.cookie },
      },
    );

    expect(lines.length).toBeGreaterThan(10);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.some((record) => typeof record.reqId === 'string')).toBe(true);
    expect(lines.join('\n')).toContain('other=kept');
    for (const secret of [
      PASSWORD,
      'a wrong password',
      owner.cookie,
      apiToken.token,
      agentToken,
      'the-authorization-code',
      'the-state-value',
    ]) {
      expect(lines.join('\n')).not.toContain(secret);
    }
  });
});
