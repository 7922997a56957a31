import type { AuditEvent } from '@outpost/protocol/rest/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
let other: SignedUp;
beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t.app);
  other = await signUp(t.app);
  // Some history: tokens made in production and sandbox, one shown, and the other account's.
  const first = await createApiToken(t.app, { cookie: owner.cookie }, { name: 'first' });
  await createApiToken(t.app, { cookie: owner.cookie }, { name: 'second', environment: 'sandbox' });
  await call(t.app, 'GET', `/v1/api-tokens/${first.id}/token`, { as: { cookie: owner.cookie } });
  await createApiToken(t.app, { cookie: other.cookie }, { name: 'not yours' });
});
afterAll(() => t.close());

const asOwner = () => ({ cookie: owner.cookie });

/** Every event of the owner's account, newest first, as the database holds them. */
const storedIds = async (action?: string) =>
  (
    await t.db.auditEvent.findMany({
      where: { accountId: owner.me.account.id, ...(action ? { action } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { id: true },
    })
  ).map((event) => event.id);

async function readAll(query: string): Promise<{ pages: AuditEvent[][] }> {
  const pages: AuditEvent[][] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await call(t.app, 'GET', `/v1/audit-events?${query}${suffix}`, { as: asOwner() });
    expect(response.statusCode).toBe(200);
    pages.push(response.json().items);
    cursor = response.json().nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return { pages };
}

describe('GET /v1/audit-events', () => {
  it("lists the whole account's events, newest first, with who did what where", async () => {
    const response = await call(t.app, 'GET', '/v1/audit-events', { as: asOwner() });
    expect(response.statusCode).toBe(200);
    const { items, nextCursor } = response.json();
    expect(nextCursor).toBeNull();
    expect(items.map((event: AuditEvent) => event.id)).toEqual(await storedIds());
    expect(items.map((event: AuditEvent) => event.action)).toEqual([
      'api_token.token_shown',
      'api_token.created',
      'api_token.created',
      'auth.signed_up',
    ]);
    const sandbox = await t.db.environment.findFirstOrThrow({
      where: { accountId: owner.me.account.id, slug: 'sandbox' },
    });
    expect(items[1]).toMatchObject({
      actor: { type: 'user', id: owner.me.user.id, label: owner.email },
      environmentId: sandbox.id,
      targetType: 'api_token',
      metadata: { name: 'second', role: 'ADMIN' },
    });
    expect(response.body).not.toContain('not yours');
  });

  it('pages with an opaque cursor, never repeating or skipping an event, even within one millisecond', async () => {
    // Events that share a timestamp are ordered by id.
    const at = new Date();
    await t.db.auditEvent.createMany({
      data: Array.from({ length: 7 }, (_, i) => ({
        accountId: owner.me.account.id,
        actorType: 'system',
        action: 'test.same_instant',
        metadata: { i },
        createdAt: at,
      })),
    });
    const { pages } = await readAll('limit=3');
    expect(pages.map((page) => page.length).slice(0, -1)).toEqual(Array(pages.length - 1).fill(3));
    expect(pages.flat().map((event) => event.id)).toEqual(await storedIds());
  });

  it('filters by action', async () => {
    const { pages } = await readAll('limit=1&action=api_token.created');
    const events = pages.flat();
    expect(events).toHaveLength(2);
    expect(events.every((event) => event.action === 'api_token.created')).toBe(true);
    expect(events.map((event) => event.id)).toEqual(await storedIds('api_token.created'));
  });

  it('records an API token as the actor when a program acts', async () => {
    const program = await createApiToken(t.app, asOwner(), { name: 'auditor', role: 'ADMIN' });
    await createApiToken(t.app, { apiToken: program.token }, { name: 'made by auditor' });
    const response = await call(t.app, 'GET', '/v1/audit-events?limit=1', {
      as: { apiToken: program.token },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().items[0]).toMatchObject({
      action: 'api_token.created',
      actor: { type: 'api_token', id: program.id, label: 'auditor' },
    });
    expect(response.json().nextCursor).toEqual(expect.any(String));
  });

  it('names the bad query parameter', async () => {
    for (const [query, path] of [
      ['limit=0', 'querystring.limit'],
      ['limit=201', 'querystring.limit'],
      ['limit=two', 'querystring.limit'],
      ['cursor=garbage', 'querystring.cursor'],
      [`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`, 'querystring.cursor'],
      [`action=${'a'.repeat(101)}`, 'querystring.action'],
    ]) {
      const response = await call(t.app, 'GET', `/v1/audit-events?${query}`, { as: asOwner() });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
      expect(issuePaths(response), query).toEqual([path]);
    }
  });

  it('is for owners and admins only', async () => {
    const monitor = await createApiToken(t.app, asOwner(), { role: 'MONITOR' });
    const manage = await createApiToken(t.app, asOwner(), { role: 'MANAGE' });
    for (const apiToken of [monitor.token, manage.token]) {
      const response = await call(t.app, 'GET', '/v1/audit-events', { as: { apiToken } });
      expect(response.statusCode).toBe(403);
      expect(response.body).not.toContain('api_token.created');
    }
  });
});
