import type { License } from '@outpost/protocol/rest/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type SignedUp, signUp, startTestApp, type TestApp } from './helpers.ts';

/**
 * Issue 7, per resource type: in a legacy account Production and Sandbox share every resource (a
 * create, edit or delete in one is at once in the other); in a multi-environment account each
 * environment is isolated (another environment's resource is not listed and answers 404).
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface Dependencies {
  connection: string;
  export: string;
  import: string;
}

interface ResourceType {
  path: string;
  create(name: string, uses: Dependencies): Record<string, unknown>;
}

const connection = (name: string) => ({ name, type: 'HTTP', http: { baseUri: 'https://erp.example.com' } });
const endpoint = (name: string, connectionId: string) => ({ name, connectionId, http: { path: '/orders' } });

const TYPES: ResourceType[] = [
  { path: 'agents', create: (name) => ({ name }) },
  { path: 'api-tokens', create: (name) => ({ name, role: 'MANAGE' }) },
  { path: 'connections', create: connection },
  { path: 'exports', create: (name, uses) => endpoint(name, uses.connection) },
  { path: 'imports', create: (name, uses) => endpoint(name, uses.connection) },
  {
    path: 'scripts',
    create: (name) => ({
      name,
      kind: 'TRANSFORM',
      source: 'function transform(record) {\n  return record;\n}\n',
    }),
  },
  { path: 'flows', create: (name, uses) => ({ name, exportId: uses.export, importIds: [uses.import] }) },
];

function client(owner: SignedUp) {
  return (method: string, url: string, environment: string, body?: unknown) =>
    call(t.app, method, url, { as: { cookie: owner.cookie }, environment, body });
}

/** What the exports, imports and flows under test use, made in `environment`. */
async function dependencies(owner: SignedUp, environment: string): Promise<Dependencies> {
  const send = client(owner);
  const create = async (path: string, body: Record<string, unknown>) => {
    const response = await send('POST', `/v1/${path}`, environment, body);
    expect(response.statusCode, `${path}: ${response.body}`).toBe(201);
    return response.json().id as string;
  };
  const connection = await create(
    'connections',
    TYPES[2]?.create('Used connection', {} as Dependencies) ?? {},
  );
  const uses = { connection } as Dependencies;
  return {
    connection,
    export: await create('exports', { ...TYPES[3]?.create('Used export', uses) }),
    import: await create('imports', { ...TYPES[4]?.create('Used import', uses) }),
  };
}

const listedNames = async (send: ReturnType<typeof client>, path: string, environment: string) => {
  const response = await send('GET', `/v1/${path}`, environment);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().items as { name: string }[]).map((item) => item.name);
};

async function account(license: License) {
  const owner = await signUp(t.app, { license });
  return { owner, send: client(owner), uses: await dependencies(owner, 'sandbox') };
}

describe.each(TYPES.map((type) => [type.path, type] as const))('%s', (path, type) => {
  it('LEGACY: created in Sandbox, edited in Production, deleted in Sandbox: each change is at once in the other', async () => {
    const { send, uses } = await account('LEGACY');
    const created = await send('POST', `/v1/${path}`, 'sandbox', type.create('Shared one', uses));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;

    expect(await listedNames(send, path, 'production')).toContain('Shared one');
    expect((await send('GET', `/v1/${path}/${id}`, 'production')).json().name).toBe('Shared one');

    const edited = await send('PATCH', `/v1/${path}/${id}`, 'production', { name: 'Edited in Production' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await send('GET', `/v1/${path}/${id}`, 'sandbox')).json().name).toBe('Edited in Production');
    expect(await listedNames(send, path, 'sandbox')).toContain('Edited in Production');

    const deleted = await send('DELETE', `/v1/${path}/${id}`, 'sandbox');
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await send('GET', `/v1/${path}/${id}`, 'production')).statusCode).toBe(404);
    expect(await listedNames(send, path, 'production')).not.toContain('Edited in Production');
  });

  it('MULTI_ENV: created in Sandbox, it is not in Production, and every route there answers 404', async () => {
    const { owner, send, uses } = await account('MULTI_ENV');
    const created = await send('POST', `/v1/${path}`, 'sandbox', type.create('Sandbox only', uses));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;

    expect(await listedNames(send, path, 'production')).not.toContain('Sandbox only');
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'Hijacked' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await send(method, `/v1/${path}/${id}`, 'production', body);
      expect(response.statusCode, `${method}: ${response.body}`).toBe(404);
      expect(response.body).not.toContain('Sandbox only');
    }
    expect((await send('GET', `/v1/${path}/${id}`, 'sandbox')).json().name).toBe('Sandbox only');
    // Nor do they share names: Production may have its own "Sandbox only".
    const productionUses = await dependencies(owner, 'production');
    const twin = await send('POST', `/v1/${path}`, 'production', type.create('Sandbox only', productionUses));
    expect(twin.statusCode, twin.body).toBe(201);
    expect(twin.json().id).not.toBe(id);
  });
});
