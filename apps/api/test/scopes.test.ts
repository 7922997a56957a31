import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createApiToken, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const snapshotTokens = (accountId: string) =>
  t.db.apiToken.findMany({
    where: { scope: { accountId } },
    orderBy: { id: 'asc' },
    omit: { lastUsedAt: true },
  });

describe('LEGACY: Production and Sandbox share one scope', () => {
  it('an API token created in Sandbox is listed, shown and changed from Production', async () => {
    const owner = await signUp(t.app, { license: 'LEGACY' });
    const cookie = owner.cookie;
    const sandboxToken = await createApiToken(
      t.app,
      { cookie },
      { name: 'sandbox job', environment: 'sandbox' },
    );
    expect(sandboxToken.environment.slug).toBe('sandbox');

    const list = await call(t.app, 'GET', '/v1/api-tokens', { as: { cookie }, environment: 'production' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toContainEqual(
      expect.objectContaining({
        id: sandboxToken.id,
        environment: expect.objectContaining({ slug: 'sandbox' }),
      }),
    );
    const shown = await call(t.app, 'GET', `/v1/api-tokens/${sandboxToken.id}/token`, { as: { cookie } });
    expect(shown.json()).toEqual({ token: sandboxToken.token });
    const renamed = await call(t.app, 'PATCH', `/v1/api-tokens/${sandboxToken.id}`, {
      as: { cookie },
      environment: 'production',
      body: { name: 'renamed in production' },
    });
    expect(renamed.statusCode).toBe(200);
    const stored = await t.db.apiToken.findUniqueOrThrow({
      where: { id: sandboxToken.id },
      include: { environment: true },
    });
    // Changed from Production, it still acts in Sandbox.
    expect(stored.name).toBe('renamed in production');
    expect(stored.environment.slug).toBe('sandbox');

    // A name is unique across the shared scope.
    const clash = await call(t.app, 'POST', '/v1/api-tokens', {
      as: { cookie },
      environment: 'production',
      body: { name: 'renamed in production' },
    });
    expect(clash.statusCode).toBe(409);
  });

  it("the Sandbox token's own bearer acts in Sandbox, and sees the shared scope", async () => {
    const owner = await signUp(t.app, { license: 'LEGACY' });
    const productionToken = await createApiToken(t.app, { cookie: owner.cookie }, { name: 'prod' });
    const sandboxToken = await createApiToken(
      t.app,
      { cookie: owner.cookie },
      { name: 'sandbox admin', role: 'ADMIN', environment: 'sandbox' },
    );
    const asSandbox = { apiToken: sandboxToken.token };

    const list = await call(t.app, 'GET', '/v1/api-tokens', { as: asSandbox });
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json()
        .items.map((item: { id: string }) => item.id)
        .sort(),
    ).toEqual([productionToken.id, sandboxToken.id].sort());
    const created = await createApiToken(t.app, asSandbox, { name: 'made by the sandbox token' });
    expect(created.environment.slug).toBe('sandbox');
    const event = await t.db.auditEvent.findFirstOrThrow({
      where: { action: 'api_token.created', targetId: created.id },
    });
    const sandbox = await t.db.environment.findFirstOrThrow({
      where: { accountId: owner.me.account.id, slug: 'sandbox' },
    });
    expect(event.environmentId).toBe(sandbox.id);

    const elsewhere = await call(t.app, 'GET', '/v1/api-tokens', {
      as: asSandbox,
      environment: 'production',
    });
    expect(elsewhere.statusCode).toBe(403);
  });
});

describe('MULTI_ENV: each environment has its own scope', () => {
  it('an API token created in Sandbox is invisible from Production and every route answers 404', async () => {
    const owner = await signUp(t.app);
    const cookie = owner.cookie;
    const sandboxToken = await createApiToken(
      t.app,
      { cookie },
      { name: 'sandbox job', environment: 'sandbox' },
    );
    const before = await snapshotTokens(owner.me.account.id);

    const list = await call(t.app, 'GET', '/v1/api-tokens', { as: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([]);
    for (const [method, url, body] of [
      ['GET', `/v1/api-tokens/${sandboxToken.id}`, undefined],
      ['PATCH', `/v1/api-tokens/${sandboxToken.id}`, { name: 'hijacked' }],
      ['GET', `/v1/api-tokens/${sandboxToken.id}/token`, undefined],
      ['POST', `/v1/api-tokens/${sandboxToken.id}/token`, undefined],
      ['DELETE', `/v1/api-tokens/${sandboxToken.id}`, undefined],
    ] as const) {
      const response = await call(t.app, method, url, { as: { cookie }, environment: 'production', body });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.body).not.toContain(sandboxToken.token);
      expect(response.body).not.toContain('sandbox job');
    }
    expect(await snapshotTokens(owner.me.account.id)).toEqual(before);
    expect(
      await t.db.auditEvent.count({ where: { accountId: owner.me.account.id, targetId: sandboxToken.id } }),
    ).toBe(1);

    // From Sandbox it is there, and its bearer still works.
    const fromSandbox = await call(t.app, 'GET', `/v1/api-tokens/${sandboxToken.id}`, {
      as: { cookie },
      environment: 'sandbox',
    });
    expect(fromSandbox.statusCode).toBe(200);
    expect(
      (await call(t.app, 'GET', '/v1/api-tokens', { as: { apiToken: sandboxToken.token } })).statusCode,
    ).toBe(200);
  });

  it("a token's bearer sees only its own environment's tokens, and names repeat across environments", async () => {
    const owner = await signUp(t.app);
    const production = await createApiToken(
      t.app,
      { cookie: owner.cookie },
      { name: 'same name', role: 'ADMIN' },
    );
    const sandbox = await createApiToken(
      t.app,
      { cookie: owner.cookie },
      { name: 'same name', role: 'ADMIN', environment: 'sandbox' },
    );
    const created = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: owner.cookie },
      body: { name: 'Staging', slug: 'staging' },
    });
    expect(created.statusCode).toBe(201);
    const staging = await createApiToken(
      t.app,
      { cookie: owner.cookie },
      { name: 'same name', role: 'ADMIN', environment: 'staging' },
    );
    for (const token of [production, sandbox, staging]) {
      const list = await call(t.app, 'GET', '/v1/api-tokens', { as: { apiToken: token.token } });
      expect(list.json().items.map((item: { id: string }) => item.id)).toEqual([token.id]);
    }
    const fromStaging = await call(t.app, 'GET', `/v1/api-tokens/${production.id}`, {
      as: { apiToken: staging.token },
    });
    expect(fromStaging.statusCode).toBe(404);
  });
});
