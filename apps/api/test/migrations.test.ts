import { closeSqlPools } from '@outpost/connectors/sql';
import { createDatabaseClient } from '@outpost/db/client';
import { createTestDatabase, type TestDatabase } from '@outpost/db/testing';
import type { MigrationItem, MigrationReport } from '@outpost/protocol/rest/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MIGRATION_STEPS } from '../src/modules/migrations/copy.ts';
import { migrateAccount } from '../src/modules/migrations/service.ts';
import {
  addMember,
  call,
  createApiToken,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
} from './helpers.ts';
import { connectLightAgent, type LightAgent } from './light-agent.ts';
import { exactlyOnce, type FlowDestination, startFlowDestination } from './support/flow-destination.ts';
import { gate } from './support/flow-fixture.ts';
import { type As, waitForRun } from './support/flows.ts';

let t: TestApp;
let baseUrl: string;
const openAgents: LightAgent[] = [];
/** The flows' source (a PostgreSQL database with 2,500 orders) and destination (HTTP on loopback). */
let source: TestDatabase;
let destination: FlowDestination;

beforeAll(async () => {
  source = await createTestDatabase({ empty: true });
  const sourceSql = createDatabaseClient({ url: source.url, poolSize: 1 });
  await sourceSql.$executeRawUnsafe(
    'CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, amount int NOT NULL)',
  );
  await sourceSql.$executeRawUnsafe(
    `INSERT INTO orders SELECT n, 'item ' || n, n % 100 FROM generate_series(1, 2500) AS n`,
  );
  await sourceSql.$disconnect();
  destination = await startFlowDestination({ maxId: 2500 });
  // Loopback is reachable for Mode: Cloud, as on a self-hosted install.
  t = await startTestApp({ OUTPOST_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32' });
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  for (const agent of openAgents) agent.socket.close();
  await t.close();
  await closeSqlPools();
  await destination.close();
  await source.drop();
});

type Json = Record<string, unknown>;

/**
 * A legacy account holding every resource type, made over REST in both environments (they share
 * one scope): agents, API tokens, connections (Cloud to the source database and the destination,
 * On-premise through "Plant agent"), exports, imports, scripts, a scheduled flow and a flow that
 * moves the source's 2,500 orders to the destination.
 */
async function legacyAccountWithEverything(options: { connectAgent: boolean }) {
  const owner = await signUp(t.app, { license: 'LEGACY', accountName: 'Legacy Co' });
  const as = { cookie: owner.cookie };
  const post = async (url: string, body: unknown, environment = 'production') => {
    const response = await call(t.app, 'POST', url, { as, environment, body });
    if (response.statusCode !== 201) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    return response.json() as Json & { id: string };
  };
  const plantAgent = await post('/v1/agents', { name: 'Plant agent', description: 'VM2' });
  const spareAgent = await post('/v1/agents', { name: 'Spare agent' }, 'sandbox');
  const productionToken = await createApiToken(t.app, as, { name: 'prod job', role: 'MANAGE' });
  const sandboxToken = await createApiToken(t.app, as, { name: 'sandbox job', environment: 'sandbox' });
  const erp = await post('/v1/connections', {
    name: 'ERP',
    type: 'HTTP',
    mode: 'ON_PREMISE',
    agentId: plantAgent.id,
    http: {
      baseUri: 'http://localhost:8080',
      testPath: '/health',
      auth: { type: 'basic', username: 'erp', password: 'erp-password' },
    },
  });
  const sourceUrl = new URL(source.url);
  const ordersDb = await post(
    '/v1/connections',
    {
      name: 'Orders DB',
      type: 'POSTGRES',
      sql: {
        host: '127.0.0.1',
        port: Number(sourceUrl.port || 5432),
        database: source.name,
        user: decodeURIComponent(sourceUrl.username),
        tls: 'disable',
      },
    },
    'sandbox',
  );
  const ordersApi = await post('/v1/connections', {
    name: 'Orders API',
    type: 'HTTP',
    http: { baseUri: destination.url },
  });
  const uppercase = await post('/v1/scripts', {
    name: 'Uppercase',
    kind: 'TRANSFORM',
    source: 'function transform(r) { return { ...r, item: String(r.item).toUpperCase() }; }',
  });
  const activeOnly = await post(
    '/v1/scripts',
    { name: 'Active only', kind: 'FILTER', source: 'function filter(r) { return r.amount >= 0; }' },
    'sandbox',
  );
  const orders = await post('/v1/exports', {
    name: 'All orders',
    connectionId: ordersDb.id,
    sql: { query: 'SELECT id, item, amount FROM orders', keyColumn: 'id' },
  });
  const toApi = await post('/v1/imports', {
    name: 'Orders to the API',
    connectionId: ordersApi.id,
    http: { path: '/orders', mode: 'batch', batchSize: 250 },
  });
  const toErp = await post('/v1/imports', {
    name: 'ERP orders',
    connectionId: erp.id,
    http: { path: '/orders' },
  });
  const nightly = await post('/v1/flows', {
    name: 'Nightly sync',
    schedule: '0 2 * * *',
    exportId: orders.id,
    scriptIds: [uppercase.id, activeOnly.id],
    importIds: [toErp.id],
  });
  const ordersFlow = await post('/v1/flows', {
    name: 'Orders to the API',
    exportId: orders.id,
    importIds: [toApi.id],
    pageSize: 1000,
  });
  // A last value read by an earlier run (as an incremental export keeps): the copy starts afresh.
  await t.db.export.update({ where: { id: orders.id }, data: { lastValue: 4242 } });

  let agent: LightAgent | undefined;
  let agentToken: string | undefined;
  if (options.connectAgent) {
    agentToken = (await call(t.app, 'GET', `/v1/agents/${plantAgent.id}/token`, { as })).json().token;
    agent = await connectLightAgent(baseUrl, agentToken as string);
    openAgents.push(agent);
    await agent.welcome();
    await expect
      .poll(async () => (await call(t.app, 'GET', `/v1/agents/${plantAgent.id}`, { as })).json().status)
      .toBe('online');
  }
  const { scopeId } = await t.db.environment.findFirstOrThrow({
    where: { accountId: owner.me.account.id, slug: 'production' },
  });
  return {
    owner,
    scopeId,
    ids: {
      agent: [plantAgent.id, spareAgent.id],
      api_token: [productionToken.id, sandboxToken.id],
      connection: [erp.id, ordersDb.id, ordersApi.id],
      script: [uppercase.id, activeOnly.id],
      export: [orders.id],
      import: [toApi.id, toErp.id],
      flow: [nightly.id, ordersFlow.id],
    },
    plantAgent,
    erp,
    nightly,
    ordersFlow,
    tokens: { agent: agentToken, production: productionToken.token, sandbox: sandboxToken.token },
    agent,
  };
}

/** Every row of every table that belongs to the account, as stored. */
async function snapshotAccount(accountId: string) {
  const inAccount = { scope: { accountId } };
  return {
    account: await t.db.account.findUniqueOrThrow({ where: { id: accountId } }),
    environments: await t.db.environment.findMany({ where: { accountId }, orderBy: { id: 'asc' } }),
    scopes: await t.db.scope.findMany({ where: { accountId }, orderBy: { id: 'asc' } }),
    agents: await t.db.agent.findMany({ where: inAccount, orderBy: { id: 'asc' } }),
    apiTokens: await t.db.apiToken.findMany({ where: inAccount, orderBy: { id: 'asc' } }),
    connections: await t.db.connection.findMany({ where: inAccount, orderBy: { id: 'asc' } }),
    scripts: await t.db.script.findMany({ where: inAccount, orderBy: { id: 'asc' } }),
    exports: await t.db.export.findMany({ where: inAccount, orderBy: { id: 'asc' } }),
    imports: await t.db.import.findMany({ where: inAccount, orderBy: { id: 'asc' } }),
    flows: await t.db.flow.findMany({
      where: inAccount,
      orderBy: { id: 'asc' },
      include: { scripts: { orderBy: { position: 'asc' } }, imports: { orderBy: { position: 'asc' } } },
    }),
    flowRuns: await t.db.flowRun.findMany({ where: inAccount, orderBy: { id: 'asc' } }),
    migrations: await t.db.accountMigration.findMany({ where: { accountId } }),
    auditEvents: await t.db.auditEvent.findMany({ where: { accountId }, orderBy: { id: 'asc' } }),
  };
}

const migrate = (owner: SignedUp) =>
  call(t.app, 'POST', '/v1/account/migrations', { as: { cookie: owner.cookie } });

function itemsOf(report: { items: MigrationItem[] }, environment: 'production' | 'sandbox') {
  return report.items.filter((item) => item.environment === environment);
}

describe('POST /v1/account/migrations', () => {
  it('keeps Production as it was (agent connected, run running), copies everything to Sandbox with remapped references, and reports it', async () => {
    const fixture = await legacyAccountWithEverything({ connectAgent: true });
    const { owner, ids } = fixture;
    const accountId = owner.me.account.id;
    const agent = fixture.agent as LightAgent;
    let socketClosed = false;
    agent.socket.on('close', () => {
      socketClosed = true;
    });
    // A production flow is running: its first batch is held at the destination until we let it go.
    const asOwner: As = (method, url, body) =>
      call(t.app, method, url, { as: { cookie: owner.cookie }, body });
    const held = gate();
    destination.reset();
    destination.before = () => held.opened;
    const started = await asOwner('POST', `/v1/flows/${fixture.ordersFlow.id}/runs`);
    expect(started.statusCode, started.body).toBe(202);
    const runId = started.json().id as string;
    await waitForRun(asOwner, runId, { until: (run) => run.status === 'running' });
    await expect.poll(() => destination.deliveries.size).toBeGreaterThan(0);

    const before = await snapshotAccount(accountId);
    const sessionBefore = before.agents.find((row) => row.id === fixture.plantAgent.id)?.sessionId;
    expect(sessionBefore).toBeTruthy();

    const response = await migrate(owner);
    expect(response.statusCode, response.body).toBe(201);
    const report = response.json() as MigrationReport;
    const after = await snapshotAccount(accountId);

    // The report: every resource kept in Production and copied to Sandbox, and no token in it.
    for (const token of Object.values(fixture.tokens)) expect(response.body).not.toContain(token);
    expect(response.body).not.toMatch(/op[ak]_[0-9A-Za-z]{36}/);
    expect(response.body).not.toContain('password');
    const allIds = Object.values(ids).flat();
    expect(new Set(itemsOf(report, 'production').map((item) => item.id))).toEqual(new Set(allIds));
    expect(itemsOf(report, 'production').every((item) => item.outcome === 'kept')).toBe(true);
    expect(new Set(itemsOf(report, 'sandbox').map((item) => item.sourceId))).toEqual(new Set(allIds));
    const copyOf = (id: string) => {
      const item = report.items.find((candidate) => candidate.sourceId === id);
      if (!item?.id) throw new Error(`no copy of ${id} in the report`);
      return item;
    };
    for (const id of [...ids.agent, ...ids.api_token]) expect(copyOf(id).outcome).toBe('copied_new_token');
    expect(copyOf(fixture.nightly.id).outcome).toBe('copied_disabled');
    for (const id of [...ids.connection, ...ids.script, ...ids.export, ...ids.import]) {
      expect(copyOf(id).outcome).toBe('copied');
    }
    expect(copyOf(ids.flow[1] as string).outcome).toBe('copied');
    expect(copyOf(fixture.plantAgent.id).action).toBe(
      'Show token on agent "Plant agent" in Sandbox and install it on a machine of the network Sandbox should reach',
    );
    expect(copyOf(fixture.nightly.id).action).toMatch(/Turn on flow "Nightly sync" in Sandbox/);
    expect(copyOf(fixture.erp.id).action).toMatch(/agent "Plant agent" in Sandbox/);
    expect(copyOf(ids.export[0] as string).note).toMatch(/last value/);
    expect(report.notes.join(' ')).toMatch(/Flow runs stay with Production \(1 run\)/);
    expect(report.startedBy).toEqual({ id: owner.me.user.id, email: owner.email });

    // Production: every row exactly as before (same ids, tokens, agent session, running run)…
    const sandboxToken = fixture.ids.api_token[1];
    const productionEnvironment = before.environments.find((row) => row.slug === 'production');
    const sandboxEnvironment = before.environments.find((row) => row.slug === 'sandbox');
    const kept = <T extends { id: string }>(rows: T[]) => rows.filter((row) => allIds.includes(row.id));
    const { lastSeenAt: _a, ...plantBefore } =
      before.agents.find((row) => row.id === fixture.plantAgent.id) ?? {};
    const { lastSeenAt: _b, ...plantAfter } =
      after.agents.find((row) => row.id === fixture.plantAgent.id) ?? {};
    expect(plantAfter).toEqual(plantBefore);
    expect(kept(after.agents).filter((row) => row.id !== fixture.plantAgent.id)).toEqual(
      kept(before.agents).filter((row) => row.id !== fixture.plantAgent.id),
    );
    for (const table of ['connections', 'scripts', 'exports', 'imports', 'flows'] as const) {
      expect(kept(after[table] as { id: string }[]), table).toEqual(before[table]);
    }
    const runsOf = (rows: typeof before.flowRuns) =>
      rows.map(({ id, flowId, scopeId, status }) => ({ id, flowId, scopeId, status }));
    expect(runsOf(after.flowRuns)).toEqual(runsOf(before.flowRuns));
    expect(after.flowRuns.find((run) => run.id === runId)?.status).toBe('RUNNING');
    // …except that the token bound to Sandbox now acts in Production, whose scope it belongs to.
    expect(kept(after.apiTokens)).toEqual(
      before.apiTokens.map((row) =>
        row.id === sandboxToken
          ? { ...row, environmentId: productionEnvironment?.id, updatedAt: expect.any(Date) }
          : row,
      ),
    );
    expect(after.environments.find((row) => row.slug === 'production')).toEqual(productionEnvironment);
    expect(after.account.license).toBe('MULTI_ENV');

    // The agent stayed connected: same session, socket never closed, and work still reaches it.
    expect(socketClosed).toBe(false);
    expect(agent.socket.readyState).toBe(WebSocket.OPEN);
    agent.socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString());
      if (frame.type === 'request') {
        agent.send({
          type: 'response',
          id: frame.id,
          ok: true,
          result: { ok: true, code: 'ok', message: 'reached' },
        });
      }
    });
    const tested = await call(t.app, 'POST', `/v1/connections/${fixture.erp.id}/test`, {
      as: { cookie: owner.cookie },
    });
    expect(tested.json()).toMatchObject({ ok: true, message: 'reached' });
    expect((await t.db.agent.findUniqueOrThrow({ where: { id: fixture.plantAgent.id } })).sessionId).toBe(
      sessionBefore,
    );

    // Sandbox: a scope of its own holding only copies, whose references point only at copies.
    const sandboxAfter = after.environments.find((row) => row.slug === 'sandbox');
    expect(sandboxAfter?.scopeId).not.toBe(fixture.scopeId);
    expect(sandboxAfter).toEqual({ ...sandboxEnvironment, scopeId: sandboxAfter?.scopeId });
    const sandboxScope = sandboxAfter?.scopeId as string;
    expect(after.scopes.map((scope) => scope.id).sort()).toEqual([fixture.scopeId, sandboxScope].sort());
    const inSandbox = <T extends { scopeId: string; id: string }>(rows: T[]) =>
      rows.filter((row) => row.scopeId === sandboxScope);
    const sandboxIds = (rows: { scopeId: string; id: string }[]) =>
      new Set(inSandbox(rows).map((row) => row.id));
    for (const table of [
      'agents',
      'apiTokens',
      'connections',
      'scripts',
      'exports',
      'imports',
      'flows',
    ] as const) {
      const rows = after[table] as { scopeId: string; id: string }[];
      // Every row is either an untouched Production row or a copy in Sandbox: nothing is shared.
      expect(
        rows.every((row) => row.scopeId === fixture.scopeId || row.scopeId === sandboxScope),
        table,
      ).toBe(true);
      expect(inSandbox(rows).length, table).toBe(rows.length / 2);
      for (const row of inSandbox(rows)) expect(allIds).not.toContain(row.id);
    }
    const sandboxAgents = sandboxIds(after.agents);
    for (const connection of inSandbox(after.connections)) {
      expect(connection.oauthTokenCiphertext).toBeNull();
      if (connection.agentId) expect(sandboxAgents.has(connection.agentId)).toBe(true);
    }
    const copiedErp = after.connections.find((row) => row.id === copyOf(fixture.erp.id).id);
    expect(copiedErp?.agentId).toBe(copyOf(fixture.plantAgent.id).id);
    expect(copiedErp?.secretsCiphertext).toBe(
      after.connections.find((row) => row.id === fixture.erp.id)?.secretsCiphertext,
    );
    const sandboxConnections = sandboxIds(after.connections);
    for (const row of [...inSandbox(after.exports), ...inSandbox(after.imports)]) {
      expect(sandboxConnections.has(row.connectionId)).toBe(true);
    }
    for (const row of inSandbox(after.exports)) expect(row.lastValue).toBeNull();
    const sandboxExports = sandboxIds(after.exports);
    const sandboxScripts = sandboxIds(after.scripts);
    const sandboxImports = sandboxIds(after.imports);
    for (const flow of inSandbox(after.flows)) {
      expect(sandboxExports.has(flow.exportId)).toBe(true);
      for (const step of flow.scripts) expect(sandboxScripts.has(step.scriptId)).toBe(true);
      for (const step of flow.imports) expect(sandboxImports.has(step.importId)).toBe(true);
      expect(flow.nextRunAt).toBeNull();
    }
    const nightlyCopy = after.flows.find((row) => row.id === copyOf(fixture.nightly.id).id);
    expect(nightlyCopy).toMatchObject({ enabled: false, schedule: '0 2 * * *' });
    expect(nightlyCopy?.scripts.map((step) => step.scriptId)).toEqual(
      fixture.ids.script.map((id) => copyOf(id).id), // Uppercase (0), Active only (1)
    );
    expect(after.flows.find((row) => row.id === copyOf(ids.flow[1] as string).id)?.enabled).toBe(true);
    expect(inSandbox(after.flowRuns)).toEqual([]);
    for (const copy of inSandbox(after.agents)) {
      expect(copy).toMatchObject({ sessionId: null, connectedAt: null, version: null, hostname: null });
      expect(before.agents.map((row) => row.tokenDigest)).not.toContain(copy.tokenDigest);
    }
    for (const copy of inSandbox(after.apiTokens)) {
      expect(copy.environmentId).toBe(sandboxEnvironment?.id);
      expect(before.apiTokens.map((row) => row.tokenDigest)).not.toContain(copy.tokenDigest);
    }

    // Over REST: Sandbox sees only its copies, awaiting setup; the copy's new token connects as the copy.
    const sandboxList = await call(t.app, 'GET', '/v1/agents', {
      as: { cookie: owner.cookie },
      environment: 'sandbox',
    });
    expect(sandboxList.json().items.map((item: Json) => [item.name, item.status])).toEqual([
      ['Plant agent', 'awaiting_setup'],
      ['Spare agent', 'awaiting_setup'],
    ]);
    const plantCopy = copyOf(fixture.plantAgent.id).id as string;
    const newToken = (
      await call(t.app, 'GET', `/v1/agents/${plantCopy}/token`, {
        as: { cookie: owner.cookie },
        environment: 'sandbox',
      })
    ).json().token;
    expect(newToken).toMatch(/^opa_/);
    expect(newToken).not.toBe(fixture.tokens.agent);
    const sandboxAgent = await connectLightAgent(baseUrl, newToken);
    openAgents.push(sandboxAgent);
    expect((await sandboxAgent.welcome()).agentId).toBe(plantCopy);
    sandboxAgent.socket.close();
    const productionConnections = await call(t.app, 'GET', '/v1/connections', {
      as: { cookie: owner.cookie },
    });
    expect(
      productionConnections
        .json()
        .items.map((item: Json) => item.id)
        .sort(),
    ).toEqual([...ids.connection].sort());
    // The old Sandbox-bound token now acts in Production; the copy's token in Sandbox.
    const oldSandboxToken = await call(t.app, 'GET', '/v1/connections', {
      as: { apiToken: fixture.tokens.sandbox },
    });
    expect(
      oldSandboxToken
        .json()
        .items.map((item: Json) => item.id)
        .sort(),
    ).toEqual([...ids.connection].sort());

    // The production flow ran through the migration: let its held batch go, and it finishes.
    expect((await asOwner('GET', `/v1/runs/${runId}`)).json().status).toBe('running');
    held.open();
    const finished = await waitForRun(asOwner, runId);
    expect(finished).toMatchObject({ status: 'succeeded', counts: { read: 2500, written: 2500, failed: 0 } });
    expect(exactlyOnce(destination, 1, 2500)).toEqual({ once: 2500, missing: 0, duplicated: 0 });
    destination.before = null;

    // Kept: the report can be opened later, the license is MULTI_ENV, the migration is audited.
    const keptReport = await call(t.app, 'GET', `/v1/account/migrations/${report.id}`, {
      as: { cookie: owner.cookie },
    });
    expect(keptReport.json()).toEqual(report);
    const listed = await call(t.app, 'GET', '/v1/account/migrations', { as: { cookie: owner.cookie } });
    expect(listed.json().items).toEqual([
      { id: report.id, createdAt: report.createdAt, startedBy: report.startedBy },
    ]);
    const me = await call(t.app, 'GET', '/v1/me', { as: { cookie: owner.cookie } });
    expect(me.json().account.license).toBe('MULTI_ENV');
    const audit = after.auditEvents.filter((event) => event.action === 'account.migrated');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: owner.me.user.id, targetId: report.id });

    // And from now on the environments are isolated.
    const created = await call(t.app, 'POST', '/v1/agents', {
      as: { cookie: owner.cookie },
      environment: 'sandbox',
      body: { name: 'Only in Sandbox' },
    });
    expect(created.statusCode).toBe(201);
    const production = await call(t.app, 'GET', '/v1/agents', { as: { cookie: owner.cookie } });
    expect(production.json().items.map((item: Json) => item.name)).toEqual(['Plant agent', 'Spare agent']);

    // A second run is refused, saying when the first one ran, and changes nothing.
    const again = await migrate(owner);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_migrated');
    expect(again.json().error.message).toMatch(
      /^This account already uses multiple environments \(migrated on \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/,
    );
    expect(await t.db.scope.count({ where: { accountId } })).toBe(2);
  }, 30_000);

  it('the preview lists what the migration then does, with the same outcomes and actions', async () => {
    const { owner } = await legacyAccountWithEverything({ connectAgent: false });
    const preview = await call(t.app, 'GET', '/v1/account/migrations/preview', {
      as: { cookie: owner.cookie },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().account).toEqual({ id: owner.me.account.id, name: 'Legacy Co' });
    expect(itemsOf(preview.json(), 'sandbox').every((item) => item.id === null)).toBe(true);
    // Previewing changes nothing.
    expect((await t.db.account.findUniqueOrThrow({ where: { id: owner.me.account.id } })).license).toBe(
      'LEGACY',
    );
    const report = (await migrate(owner)).json() as MigrationReport;
    const withoutCopyIds = (items: MigrationItem[]) =>
      items.map((item) => (item.environment === 'sandbox' ? { ...item, id: null } : item));
    expect(withoutCopyIds(report.items)).toEqual(preview.json().items);
    expect(report.notes).toEqual(preview.json().notes);
  });

  it('a failure after any step leaves every row of the account exactly as it was', async () => {
    const { owner } = await legacyAccountWithEverything({ connectAgent: false });
    const accountId = owner.me.account.id;
    const before = await snapshotAccount(accountId);
    const caller = {
      accountId,
      actor: { type: 'user' as const, id: owner.me.user.id, label: owner.email, sessionId: owner.me.user.id },
      request: { ip: '127.0.0.1', headers: {} },
    };
    for (const step of MIGRATION_STEPS) {
      const failure = new Error(`injected after ${step}`);
      await expect(
        migrateAccount(
          {
            db: t.db,
            secrets: t.app.secrets,
            events: t.app.agentEvents,
            faultAfter: (done) => {
              if (done === step) throw failure;
            },
          },
          caller,
        ),
      ).rejects.toBe(failure);
      expect(await snapshotAccount(accountId), step).toEqual(before);
    }
    // And then it runs.
    expect((await migrate(owner)).statusCode).toBe(201);
  }, 30_000);

  it('two migrations at once: one runs, the other is refused, and there is one Sandbox scope', async () => {
    const { owner } = await legacyAccountWithEverything({ connectAgent: false });
    const accountId = owner.me.account.id;
    const answers = await Promise.all([migrate(owner), migrate(owner), migrate(owner)]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409, 409]);
    for (const answer of answers.filter((candidate) => candidate.statusCode === 409)) {
      expect(answer.json().error.code).toBe('already_migrated');
    }
    expect(await t.db.scope.count({ where: { accountId } })).toBe(2);
    expect(await t.db.accountMigration.count({ where: { accountId } })).toBe(1);
    expect(await t.db.agent.count({ where: { scope: { accountId } } })).toBe(4);
  }, 30_000);

  it('an empty legacy account migrates too: Sandbox gets an empty scope of its own', async () => {
    const owner = await signUp(t.app, { license: 'LEGACY' });
    const response = await migrate(owner);
    expect(response.statusCode).toBe(201);
    expect(response.json().items).toEqual([]);
    const environments = await t.db.environment.findMany({ where: { accountId: owner.me.account.id } });
    expect(new Set(environments.map((environment) => environment.scopeId)).size).toBe(2);
  });

  it('is for the owner only, and a multi-environment account has nothing to migrate', async () => {
    const owner = await signUp(t.app, { license: 'LEGACY' });
    const admin = await addMember(t.app, owner, 'ADMIN');
    for (const [method, url] of [
      ['POST', '/v1/account/migrations'],
      ['GET', '/v1/account/migrations/preview'],
    ] as const) {
      const refused = await call(t.app, method, url, { as: { cookie: admin.cookie } });
      expect(refused.statusCode, url).toBe(403);
    }
    expect((await t.db.account.findUniqueOrThrow({ where: { id: owner.me.account.id } })).license).toBe(
      'LEGACY',
    );

    const multi = await signUp(t.app);
    for (const [method, url] of [
      ['POST', '/v1/account/migrations'],
      ['GET', '/v1/account/migrations/preview'],
    ] as const) {
      const response = await call(t.app, method, url, { as: { cookie: multi.cookie } });
      expect(response.statusCode).toBe(409);
      expect(response.json().error).toMatchObject({
        code: 'already_migrated',
        message: 'This account already uses multiple environments',
      });
    }
    expect(await t.db.scope.count({ where: { accountId: multi.me.account.id } })).toBe(2);
  });

  it("an admin opens the kept report; another account's report is not found", async () => {
    const owner = await signUp(t.app, { license: 'LEGACY' });
    const admin = await addMember(t.app, owner, 'ADMIN');
    const report = (await migrate(owner)).json() as MigrationReport;
    const opened = await call(t.app, 'GET', `/v1/account/migrations/${report.id}`, {
      as: { cookie: admin.cookie },
    });
    expect(opened.json()).toEqual(report);
    const stranger = await signUp(t.app, { license: 'LEGACY' });
    const hidden = await call(t.app, 'GET', `/v1/account/migrations/${report.id}`, {
      as: { cookie: stranger.cookie },
    });
    expect(hidden.statusCode).toBe(404);
  });
});
