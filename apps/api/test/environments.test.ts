import { MAX_ENVIRONMENTS } from '@outpost/protocol/rest/environments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, issuePaths, signUp, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const countRows = async (accountId: string) => ({
  environments: await t.db.environment.count({ where: { accountId } }),
  scopes: await t.db.scope.count({ where: { accountId } }),
  auditEvents: await t.db.auditEvent.count({ where: { accountId, action: 'environment.created' } }),
});

describe('GET /v1/environments', () => {
  it('lists Production and Sandbox of the account, to any member', async () => {
    const owner = await signUp(t.app);
    const monitor = await addMember(t.app, owner, 'MONITOR');
    const response = await call(t.app, 'GET', '/v1/environments', { as: { cookie: monitor.cookie } });
    expect(response.statusCode).toBe(200);
    const stored = await t.db.environment.findMany({ where: { accountId: owner.me.account.id } });
    expect(response.json().items).toHaveLength(2);
    expect(response.json().items.map((environment: { slug: string }) => environment.slug)).toEqual([
      'production',
      'sandbox',
    ]);
    expect(new Set(response.json().items.map((environment: { id: string }) => environment.id))).toEqual(
      new Set(stored.map((environment) => environment.id)),
    );
  });
});

describe('POST /v1/environments', () => {
  it('creates an environment with a scope of its own, usable at once, and audits it', async () => {
    const owner = await signUp(t.app);
    const accountId = owner.me.account.id;
    const response = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: owner.cookie },
      body: { name: ' Staging ', slug: 'staging' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ slug: 'staging', name: 'Staging' });

    const environments = await t.db.environment.findMany({ where: { accountId } });
    const staging = environments.find((environment) => environment.slug === 'staging');
    expect(staging?.id).toBe(response.json().id);
    expect(new Set(environments.map((environment) => environment.scopeId)).size).toBe(3);
    const scope = await t.db.scope.findUniqueOrThrow({ where: { id: staging?.scopeId ?? '' } });
    expect(scope.accountId).toBe(accountId);

    const listed = await call(t.app, 'GET', '/v1/environments', { as: { cookie: owner.cookie } });
    expect(listed.json().items.map((environment: { slug: string }) => environment.slug)).toEqual([
      'production',
      'sandbox',
      'staging',
    ]);
    const me = await call(t.app, 'GET', '/v1/me', { as: { cookie: owner.cookie }, environment: 'staging' });
    expect(me.statusCode).toBe(200);

    const events = await t.db.auditEvent.findMany({ where: { accountId, action: 'environment.created' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: 'user',
      actorId: owner.me.user.id,
      targetType: 'environment',
      targetId: response.json().id,
      metadata: { slug: 'staging', name: 'Staging' },
    });
  });

  it('lets an ADMIN member create one too', async () => {
    const owner = await signUp(t.app);
    const admin = await addMember(t.app, owner, 'ADMIN');
    const response = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: admin.cookie },
      body: { name: 'QA', slug: 'qa' },
    });
    expect(response.statusCode).toBe(201);
    expect(await t.db.environment.count({ where: { accountId: owner.me.account.id, slug: 'qa' } })).toBe(1);
  });

  it('refuses a legacy account with 409, says to migrate first, and creates nothing', async () => {
    const owner = await signUp(t.app, { license: 'LEGACY' });
    const before = await countRows(owner.me.account.id);
    const response = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: owner.cookie },
      body: { name: 'Staging', slug: 'staging' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('conflict');
    expect(response.json().error.message).toMatch(/legacy/i);
    expect(response.json().error.message).toMatch(/Production and Sandbox/);
    expect(response.json().error.message).toMatch(/migrate/i);
    expect(await countRows(owner.me.account.id)).toEqual(before);
  });

  it('answers 409 for a slug the account already has, and creates nothing', async () => {
    const owner = await signUp(t.app);
    const create = (slug: string) =>
      call(t.app, 'POST', '/v1/environments', {
        as: { cookie: owner.cookie },
        body: { name: 'Again', slug },
      });
    expect((await create('uat')).statusCode).toBe(201);
    const before = await countRows(owner.me.account.id);
    for (const slug of ['uat', 'sandbox', 'production']) {
      const response = await create(slug);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.message).toContain(`"${slug}"`);
    }
    expect(await countRows(owner.me.account.id)).toEqual(before);
  });

  it('allows the same slug in another account', async () => {
    const first = await signUp(t.app);
    const second = await signUp(t.app);
    for (const owner of [first, second]) {
      const response = await call(t.app, 'POST', '/v1/environments', {
        as: { cookie: owner.cookie },
        body: { name: 'Shared name', slug: 'shared' },
      });
      expect(response.statusCode).toBe(201);
    }
  });

  it('names every invalid field', async () => {
    const owner = await signUp(t.app);
    const before = await countRows(owner.me.account.id);
    const response = await call(t.app, 'POST', '/v1/environments', {
      as: { cookie: owner.cookie },
      body: { name: '   ', slug: 'Not A Slug' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    expect(issuePaths(response)).toEqual(expect.arrayContaining(['body.name', 'body.slug']));
    for (const slug of ['-dash-first', 'a'.repeat(41), 'under_score', '', 'api', 'sign-in', 'sign-up']) {
      const bad = await call(t.app, 'POST', '/v1/environments', {
        as: { cookie: owner.cookie },
        body: { name: 'Fine', slug },
      });
      expect(bad.statusCode, slug).toBe(400);
      expect(issuePaths(bad)).toEqual(['body.slug']);
    }
    expect(await countRows(owner.me.account.id)).toEqual(before);
  });

  it(`stops at ${MAX_ENVIRONMENTS} environments, also when requests race for the last places`, async () => {
    const owner = await signUp(t.app);
    const accountId = owner.me.account.id;
    const create = (slug: string) =>
      call(t.app, 'POST', '/v1/environments', { as: { cookie: owner.cookie }, body: { name: slug, slug } });
    for (let i = 3; i <= MAX_ENVIRONMENTS - 2; i++) {
      expect((await create(`env-${i}`)).statusCode).toBe(201);
    }
    // Two places left, five requests at once: exactly two get one.
    const racing = await Promise.all([1, 2, 3, 4, 5].map((n) => create(`last-${n}`)));
    const statuses = racing.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, 201, 409, 409, 409]);
    const refused = racing.find((response) => response.statusCode === 409);
    expect(refused?.json().error.message).toContain(String(MAX_ENVIRONMENTS));
    const after = await countRows(accountId);
    expect(after.environments).toBe(MAX_ENVIRONMENTS);
    expect(after.scopes).toBe(MAX_ENVIRONMENTS);
    expect(after.auditEvents).toBe(MAX_ENVIRONMENTS - 2);
  });
});
