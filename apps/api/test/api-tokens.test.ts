import { digestToken, isWellFormedToken } from '@outpost/protocol/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  createApiToken,
  issuePaths,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
} from './helpers.ts';

let t: TestApp;
let owner: SignedUp;
beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
});
afterAll(() => t.close());

const asOwner = () => ({ cookie: owner.cookie });

const storedToken = (id: string) => t.db.apiToken.findUniqueOrThrow({ where: { id } });

const tokenAudit = (action: string, targetId: string) =>
  t.db.auditEvent.findMany({ where: { accountId: owner.me.account.id, action, targetId } });

describe('POST /v1/api-tokens', () => {
  it('creates a token bound to this environment, shown once, stored only as digest and ciphertext', async () => {
    const response = await call(t.app, 'POST', '/v1/api-tokens', {
      as: asOwner(),
      body: { name: ' CI pipeline ' },
    });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(isWellFormedToken(created.token, 'apiToken')).toBe(true);
    expect(created).toMatchObject({
      name: 'CI pipeline',
      role: 'MANAGE',
      tokenLast4: created.token.slice(-4),
      environment: { slug: 'production', name: 'Production' },
      lastUsedAt: null,
    });

    const stored = await storedToken(created.id);
    const production = await t.db.environment.findFirstOrThrow({
      where: { accountId: owner.me.account.id, slug: 'production' },
    });
    expect(stored).toMatchObject({
      environmentId: production.id,
      scopeId: production.scopeId,
      tokenDigest: digestToken(created.token),
      createdById: owner.me.user.id,
    });
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(4, 20));
    expect(t.app.secrets.open(stored.tokenCiphertext)).toBe(created.token);

    const events = await tokenAudit('api_token.created', created.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.environmentId).toBe(production.id);
    expect(JSON.stringify(events)).not.toContain(created.token);
  });

  it('authenticates programs as the token, with its role', async () => {
    const monitor = await createApiToken(t.app, asOwner(), { role: 'MONITOR' });
    const asToken = { apiToken: monitor.token };
    expect((await call(t.app, 'GET', '/v1/environments', { as: asToken })).statusCode).toBe(200);
    expect((await call(t.app, 'GET', '/v1/api-tokens', { as: asToken })).statusCode).toBe(403);
    // Use is recorded after the answer, off the request path.
    await expect.poll(async () => (await storedToken(monitor.id)).lastUsedAt).not.toBeNull();
  });

  it('answers 409 for a name already used in this environment and creates nothing', async () => {
    await createApiToken(t.app, asOwner(), { name: 'Nightly export' });
    const before = await t.db.apiToken.count();
    const response = await call(t.app, 'POST', '/v1/api-tokens', {
      as: asOwner(),
      body: { name: 'Nightly export', role: 'MONITOR' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.message).toContain('Nightly export');
    expect(await t.db.apiToken.count()).toBe(before);
  });

  it('names every invalid field, and never makes an OWNER token', async () => {
    const before = await t.db.apiToken.count();
    const response = await call(t.app, 'POST', '/v1/api-tokens', {
      as: asOwner(),
      body: { name: '', role: 'OWNER' },
    });
    expect(response.statusCode).toBe(400);
    expect(issuePaths(response)).toEqual(expect.arrayContaining(['body.name', 'body.role']));
    const long = await call(t.app, 'POST', '/v1/api-tokens', {
      as: asOwner(),
      body: { name: 'x'.repeat(101) },
    });
    expect(issuePaths(long)).toEqual(['body.name']);
    expect(await t.db.apiToken.count()).toBe(before);
  });
});

describe('GET /v1/api-tokens and /v1/api-tokens/:id', () => {
  it('lists and shows tokens without the token, its digest or its ciphertext', async () => {
    const created = await createApiToken(t.app, asOwner(), { name: 'Listed' });
    const stored = await storedToken(created.id);
    const list = await call(t.app, 'GET', '/v1/api-tokens', { as: asOwner() });
    expect(list.statusCode).toBe(200);
    const listed = list.json().items.find((item: { id: string }) => item.id === created.id);
    expect(listed).toMatchObject({ name: 'Listed', tokenLast4: created.token.slice(-4) });
    const one = await call(t.app, 'GET', `/v1/api-tokens/${created.id}`, { as: asOwner() });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(listed);
    for (const body of [list.body, one.body]) {
      expect(body).not.toContain(created.token);
      expect(body).not.toContain(stored.tokenDigest);
      expect(body).not.toContain(stored.tokenCiphertext);
    }
    const inDatabase = await t.db.apiToken.findMany({ where: { scopeId: stored.scopeId } });
    expect(
      list
        .json()
        .items.map((item: { id: string }) => item.id)
        .sort(),
    ).toEqual(inDatabase.map((row) => row.id).sort());
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await call(t.app, 'GET', '/v1/api-tokens/0190d6f1-9d2f-7c1e-8b44-2a1c0f6a9b01', {
      as: asOwner(),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    const malformed = await call(t.app, 'GET', '/v1/api-tokens/not-a-uuid', { as: asOwner() });
    expect(malformed.statusCode).toBe(400);
    expect(issuePaths(malformed)).toEqual(['params.id']);
  });
});

describe('PATCH /v1/api-tokens/:id', () => {
  it('renames a token and changes its role, which takes effect at once', async () => {
    const created = await createApiToken(t.app, asOwner(), { name: 'Before', role: 'ADMIN' });
    expect((await call(t.app, 'GET', '/v1/api-tokens', { as: { apiToken: created.token } })).statusCode).toBe(
      200,
    );
    const response = await call(t.app, 'PATCH', `/v1/api-tokens/${created.id}`, {
      as: asOwner(),
      body: { name: 'After', role: 'MONITOR' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: 'After', role: 'MONITOR' });
    expect(await storedToken(created.id)).toMatchObject({
      name: 'After',
      role: 'MONITOR',
      tokenDigest: digestToken(created.token),
    });
    expect((await call(t.app, 'GET', '/v1/api-tokens', { as: { apiToken: created.token } })).statusCode).toBe(
      403,
    );
    const [event] = await tokenAudit('api_token.updated', created.id);
    expect(event?.metadata).toEqual({
      name: { from: 'Before', to: 'After' },
      role: { from: 'ADMIN', to: 'MONITOR' },
    });
  });

  it('refuses a name taken in the scope, an OWNER role and an empty name, and changes nothing', async () => {
    await createApiToken(t.app, asOwner(), { name: 'Taken' });
    const created = await createApiToken(t.app, asOwner(), { name: 'Mine', role: 'MANAGE' });
    const before = await storedToken(created.id);
    const taken = await call(t.app, 'PATCH', `/v1/api-tokens/${created.id}`, {
      as: asOwner(),
      body: { name: 'Taken', role: 'MONITOR' },
    });
    expect(taken.statusCode).toBe(409);
    const invalid = await call(t.app, 'PATCH', `/v1/api-tokens/${created.id}`, {
      as: asOwner(),
      body: { name: ' ', role: 'OWNER' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(issuePaths(invalid)).toEqual(expect.arrayContaining(['body.name', 'body.role']));
    expect(await storedToken(created.id)).toEqual(before);
    expect(await tokenAudit('api_token.updated', created.id)).toHaveLength(0);
  });
});

describe('Show token and Generate token', () => {
  it('Show token returns the current token and audits it', async () => {
    const created = await createApiToken(t.app, asOwner());
    const response = await call(t.app, 'GET', `/v1/api-tokens/${created.id}/token`, { as: asOwner() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ token: created.token });
    const events = await tokenAudit('api_token.token_shown', created.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: owner.me.user.id, actorLabel: owner.email });
    expect(JSON.stringify(events)).not.toContain(created.token);
  });

  it('Generate token replaces the token: the old one fails at once, the new one works', async () => {
    const created = await createApiToken(t.app, asOwner(), { role: 'ADMIN' });
    const response = await call(t.app, 'POST', `/v1/api-tokens/${created.id}/token`, { as: asOwner() });
    expect(response.statusCode).toBe(200);
    const { token } = response.json();
    expect(token).not.toBe(created.token);
    expect(isWellFormedToken(token, 'apiToken')).toBe(true);

    const old = await call(t.app, 'GET', '/v1/api-tokens', { as: { apiToken: created.token } });
    expect(old.statusCode).toBe(401);
    expect((await call(t.app, 'GET', '/v1/api-tokens', { as: { apiToken: token } })).statusCode).toBe(200);

    const stored = await storedToken(created.id);
    expect(stored.tokenDigest).toBe(digestToken(token));
    expect(stored.tokenLast4).toBe(token.slice(-4));
    expect(t.app.secrets.open(stored.tokenCiphertext)).toBe(token);
    const shown = await call(t.app, 'GET', `/v1/api-tokens/${created.id}/token`, { as: asOwner() });
    expect(shown.json()).toEqual({ token });
    expect(await tokenAudit('api_token.token_generated', created.id)).toHaveLength(1);
  });

  it('answers 404 for an unknown id and changes nothing', async () => {
    const before = await t.db.apiToken.findMany({ orderBy: { id: 'asc' } });
    for (const method of ['GET', 'POST']) {
      const response = await call(
        t.app,
        method,
        '/v1/api-tokens/0190d6f1-9d2f-7c1e-8b44-2a1c0f6a9b01/token',
        {
          as: asOwner(),
        },
      );
      expect(response.statusCode).toBe(404);
      expect(response.json()).not.toHaveProperty('token');
    }
    expect(await t.db.apiToken.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });
});

describe('DELETE /v1/api-tokens/:id', () => {
  it('deletes the token, which stops working, and audits it', async () => {
    const created = await createApiToken(t.app, asOwner(), { role: 'ADMIN' });
    const response = await call(t.app, 'DELETE', `/v1/api-tokens/${created.id}`, { as: asOwner() });
    expect(response.statusCode).toBe(204);
    expect(await t.db.apiToken.findUnique({ where: { id: created.id } })).toBeNull();
    expect(
      (await call(t.app, 'GET', '/v1/environments', { as: { apiToken: created.token } })).statusCode,
    ).toBe(401);
    expect((await call(t.app, 'GET', `/v1/api-tokens/${created.id}`, { as: asOwner() })).statusCode).toBe(
      404,
    );
    expect(await tokenAudit('api_token.deleted', created.id)).toHaveLength(1);
    const again = await call(t.app, 'DELETE', `/v1/api-tokens/${created.id}`, { as: asOwner() });
    expect(again.statusCode).toBe(404);
  });
});

describe('who may manage API tokens', () => {
  it('an ADMIN member may; an ADMIN API token may and is recorded as the actor', async () => {
    const admin = await addMember(t.app, owner, 'ADMIN');
    const byAdmin = await createApiToken(t.app, { cookie: admin.cookie }, { role: 'ADMIN' });
    expect((await storedToken(byAdmin.id)).createdById).toBe(admin.member.userId);
    const byToken = await createApiToken(t.app, { apiToken: byAdmin.token }, { name: 'made by a program' });
    expect((await storedToken(byToken.id)).createdById).toBeNull();
    const [event] = await tokenAudit('api_token.created', byToken.id);
    expect(event).toMatchObject({ actorType: 'api_token', actorId: byAdmin.id, actorLabel: byAdmin.name });
  });

  it('a MANAGE member may not, and sees no token', async () => {
    const manager = await addMember(t.app, owner, 'MANAGE');
    const created = await createApiToken(t.app, asOwner());
    for (const [method, url] of [
      ['GET', '/v1/api-tokens'],
      ['GET', `/v1/api-tokens/${created.id}/token`],
      ['POST', `/v1/api-tokens/${created.id}/token`],
    ] as const) {
      const response = await call(t.app, method, url, { as: { cookie: manager.cookie } });
      expect(response.statusCode).toBe(403);
      expect(response.body).not.toContain(created.token);
    }
    expect((await storedToken(created.id)).tokenDigest).toBe(digestToken(created.token));
  });
});
