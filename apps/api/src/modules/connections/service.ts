import { type ConnectionProbe, failureMessage } from '@outpost/connectors/connection-test';
import type { HttpResult } from '@outpost/connectors/http';
import type { SqlResult } from '@outpost/connectors/sql';
import type { SqlBatchInput, SqlBatchResult } from '@outpost/connectors/sql-batch';
import { Prisma } from '@outpost/db/client';
import type {
  ConnectionTestResult,
  Connection as ConnectionView,
  CreateConnectionBody,
  UpdateConnectionBody,
} from '@outpost/protocol/rest/connections';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../context.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import { refuseLiteralHost } from '../../lib/ssrf/guard.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { ensureBelowLimit } from '../environments/limits.ts';
import { inUse } from '../flows/references.ts';
import { namesOf } from '../flows/resources.ts';
import { ConnectionFailure, runOperation } from './runner.ts';
import {
  type ConnectionWithAgent,
  httpSettingsOf,
  joinUrl,
  openSecrets,
  type Secrets,
  type StoredSettings,
  sealSecrets,
  splitHttpSettings,
  splitSqlSettings,
  sqlSettingsOf,
  toConnectionView,
} from './settings.ts';
import { accessTokenFor, type TokenDeps } from './tokens.ts';

export type ConnectionDeps = TokenDeps;
type Caller = Pick<RequestContext, 'actor' | 'account' | 'environment'>;

const TEST_TIMEOUT_MS = 15_000;
const include = { agent: true } as const;

export function viewOf(deps: Pick<ConnectionDeps, 'secrets'>, row: ConnectionWithAgent): ConnectionView {
  return toConnectionView(row, openSecrets(deps.secrets, row));
}

export async function listConnections(deps: ConnectionDeps, scopeId: string): Promise<ConnectionView[]> {
  const rows = await deps.db.connection.findMany({ where: { scopeId }, orderBy: { name: 'asc' }, include });
  return rows.map((row) => viewOf(deps, row));
}

export async function getConnection(
  deps: Pick<ConnectionDeps, 'db'>,
  scopeId: string,
  connectionId: string,
): Promise<ConnectionWithAgent> {
  const connection = await deps.db.connection.findFirst({ where: { id: connectionId, scopeId }, include });
  if (!connection) throw notFound('Connection');
  return connection;
}

export async function createConnection(
  deps: ConnectionDeps,
  caller: Caller,
  body: CreateConnectionBody,
  request: FastifyRequest,
): Promise<ConnectionWithAgent> {
  const scopeId = caller.environment.scopeId;
  const agentId = await checkedAgentId(deps, scopeId, body.mode, body.agentId ?? null);
  let settings: StoredSettings;
  let secrets: Secrets;
  if (body.type === 'HTTP') {
    const split = splitHttpSettings(body.http, null);
    settings = { http: split.settings };
    secrets = split.secrets;
  } else {
    const split = splitSqlSettings(body.sql, null);
    settings = { sql: split.settings };
    secrets = split.secrets;
  }
  refusePrivateLiteral(deps, body.mode, settings);
  await assertNameFree(deps, scopeId, body.name);
  const connection = await uniqueName(body.name, () =>
    deps.db.$transaction(async (tx) => {
      await ensureBelowLimit(tx, scopeId, 'connections');
      const created = await tx.connection.create({
        data: {
          scopeId,
          name: body.name,
          type: body.type,
          mode: body.mode,
          agentId,
          settings: settings as unknown as Prisma.InputJsonObject,
          secretsCiphertext: sealSecrets(deps.secrets, secrets),
        },
        include,
      });
      await recordAuditEvent(
        tx,
        audit(caller, 'connection.created', created.id, request, { name: created.name, mode: created.mode }),
      );
      return created;
    }),
  );
  return connection;
}

export async function updateConnection(
  deps: ConnectionDeps,
  caller: Caller,
  connectionId: string,
  body: UpdateConnectionBody,
  request: FastifyRequest,
): Promise<ConnectionWithAgent> {
  const scopeId = caller.environment.scopeId;
  const before = await getConnection(deps, scopeId, connectionId);
  if (body.http && before.type !== 'HTTP')
    throw invalid('body.http', `A ${before.type} connection has sql settings, not http`);
  if (body.sql && before.type === 'HTTP')
    throw invalid('body.sql', 'An HTTP connection has http settings, not sql');
  const mode = body.mode ?? before.mode;
  const agentId = await checkedAgentId(
    deps,
    scopeId,
    mode,
    body.agentId !== undefined ? body.agentId : mode === 'CLOUD' ? null : before.agentId,
  );
  const previousSecrets = openSecrets(deps.secrets, before);
  let settings = before.settings as unknown as StoredSettings;
  let secrets: Secrets = previousSecrets;
  let authChanged = false;
  const previousHttp = httpSettingsOf(before);
  if (body.http && previousHttp) {
    const split = splitHttpSettings(body.http, { auth: previousHttp.auth, secrets: previousSecrets });
    authChanged =
      JSON.stringify(split.settings.auth) !== JSON.stringify(previousHttp.auth) ||
      split.secrets.clientSecret !== previousSecrets.clientSecret;
    settings = { http: split.settings };
    secrets = split.secrets;
  }
  if (body.sql) {
    const split = splitSqlSettings(body.sql, previousSecrets);
    settings = { sql: split.settings };
    secrets = split.secrets;
  }
  refusePrivateLiteral(deps, mode, settings);
  if (body.name !== undefined && body.name !== before.name)
    await assertNameFree(deps, scopeId, body.name, before.id);
  // Tokens belong to the authorization server and client they came from, and to where they ran.
  const dropTokens = authChanged || mode !== before.mode || agentId !== before.agentId;
  const updated = await uniqueName(body.name ?? before.name, () =>
    deps.db.$transaction(async (tx) => {
      const row = await tx.connection.update({
        where: { id: before.id },
        data: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          mode,
          agentId,
          settings: settings as unknown as Prisma.InputJsonObject,
          secretsCiphertext: sealSecrets(deps.secrets, secrets),
          ...(dropTokens
            ? {
                oauthTokenCiphertext: null,
                oauthTokenExpiresAt: null,
                oauthStateDigest: null,
                oauthStateCiphertext: null,
              }
            : {}),
        },
        include,
      });
      await recordAuditEvent(
        tx,
        audit(caller, 'connection.updated', row.id, request, { changed: Object.keys(body) }),
      );
      return row;
    }),
  );
  return updated;
}

export async function deleteConnection(
  deps: ConnectionDeps,
  caller: Caller,
  connectionId: string,
  request: FastifyRequest,
): Promise<void> {
  const connection = await getConnection(deps, caller.environment.scopeId, connectionId);
  // Exports and imports that use it would have nowhere to read or write: 409 naming them.
  const refuseIfUsed = async () => {
    const where = { connectionId: connection.id };
    const select = { name: true };
    const [exports, imports] = await Promise.all([
      deps.db.export.findMany({ where, select }),
      deps.db.import.findMany({ where, select }),
    ]);
    if (exports.length + imports.length > 0)
      throw inUse('connection', connection.name, [
        { kind: 'export', names: namesOf(exports) },
        { kind: 'import', names: namesOf(imports) },
      ]);
  };
  await refuseIfUsed();
  try {
    await deps.db.$transaction(async (tx) => {
      await tx.connection.delete({ where: { id: connection.id } });
      await recordAuditEvent(
        tx,
        audit(caller, 'connection.deleted', connection.id, request, { name: connection.name }),
      );
    });
  } catch (error) {
    // An export or import that picked it meanwhile: the foreign key refused the delete.
    await refuseIfUsed();
    throw error;
  }
}

/**
 * Test connection: a real probe where the connection runs (GET of the test path with the auth
 * applied, after getting a fresh OAuth token; or `SELECT version()`), answered either way.
 */
export async function testConnection(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
): Promise<ConnectionTestResult> {
  const started = performance.now();
  const probe = await probeConnection(deps, connection);
  return { ...probe, durationMs: Math.round(performance.now() - started) };
}

async function probeConnection(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
): Promise<ConnectionProbe> {
  const http = httpSettingsOf(connection);
  const sql = sqlSettingsOf(connection);
  const where = http ? new URL(http.baseUri).host : `${sql?.host}`;
  try {
    let input: unknown;
    if (http) {
      let headers: Record<string, string>;
      try {
        headers = await requestHeaders(deps, connection, { fresh: true });
      } catch (error) {
        if (!(error instanceof ConnectionFailure) || error.code === 'agent_offline') throw error;
        const tokenHost = new URL(tokenUrlOf(connection) ?? http.baseUri).host;
        return {
          ok: false,
          code: error.code,
          message: `Getting an OAuth 2.0 token failed. ${failureMessage(error.code, error.message, tokenHost, TEST_TIMEOUT_MS)}`,
        };
      }
      input = {
        type: 'http',
        url: joinUrl(http.baseUri, http.testPath),
        headers,
        timeoutMs: TEST_TIMEOUT_MS,
      };
    } else {
      input = {
        type: 'sql',
        dialect: dialectOf(connection),
        connection: sqlConnectionOf(deps, connection),
        timeoutMs: TEST_TIMEOUT_MS,
      };
    }
    const { result } = await runOperation(
      deps,
      connection,
      { kind: 'connection.test', input },
      { deadline: Date.now() + TEST_TIMEOUT_MS + 5_000 },
    );
    return result as ConnectionProbe;
  } catch (error) {
    if (!(error instanceof ConnectionFailure)) throw error;
    return {
      ok: false,
      code: error.code,
      message: failureMessage(error.code, error.message, where, TEST_TIMEOUT_MS),
    };
  }
}

/** An HTTP request through a connection: what exports, imports and flows send. */
export interface ConnectionHttpRequest {
  method: string;
  /** Relative to the base URI. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  bodyBase64?: string;
  body?: AsyncIterable<Uint8Array>;
  timeoutMs?: number;
  /** Aborts the request (a cancelled run). */
  signal?: AbortSignal;
}

/**
 * Sends a request with the connection's headers and auth, where the connection runs. An OAuth
 * token the server refuses (401) is renewed once and the request sent again (when it has no
 * streamed body). Throws a `ConnectionFailure` when the request could not be made.
 */
export async function sendHttpRequest(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
  request: ConnectionHttpRequest,
): Promise<HttpResult & { body?: AsyncIterable<Uint8Array> }> {
  const http = httpSettingsOf(connection);
  if (!http) throw new ConnectionFailure('invalid_input', `${connection.name} is not an HTTP connection`);
  const timeoutMs = request.timeoutMs ?? 60_000;
  const send = async (fresh: boolean) => {
    const headers = { ...(await requestHeaders(deps, connection, { fresh })), ...request.headers };
    const input = {
      method: request.method,
      url: joinUrl(http.baseUri, request.path),
      headers,
      ...(request.query ? { query: request.query } : {}),
      ...(request.bodyBase64 ? { bodyBase64: request.bodyBase64 } : {}),
      timeoutMs,
    };
    const output = await runOperation(
      deps,
      connection,
      { kind: 'http', input },
      {
        deadline: Date.now() + timeoutMs + 5_000,
        ...(request.body ? { body: request.body } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      },
    );
    return { ...(output.result as HttpResult), ...(output.body ? { body: output.body } : {}) };
  };
  const first = await send(false);
  const oauth = http.auth.type.startsWith('oauth2');
  if (first.status !== 401 || !oauth || request.body) return first;
  await first.body?.[Symbol.asyncIterator]().return?.();
  return send(true);
}

/** A parameterised statement through a SQL connection; rows stream as NDJSON arrays. */
export async function runSqlQuery(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
  query: {
    sql: string;
    params?: (string | number | boolean | null)[];
    timeoutMs?: number;
    signal?: AbortSignal;
  },
): Promise<SqlResult & { rows?: AsyncIterable<Uint8Array> }> {
  if (!sqlSettingsOf(connection))
    throw new ConnectionFailure('invalid_input', `${connection.name} is not a SQL connection`);
  const timeoutMs = query.timeoutMs ?? 60_000;
  const output = await runOperation(
    deps,
    connection,
    {
      kind: 'sql',
      input: {
        dialect: dialectOf(connection),
        connection: sqlConnectionOf(deps, connection),
        sql: query.sql,
        params: query.params ?? [],
        timeoutMs,
      },
    },
    { deadline: Date.now() + timeoutMs + 5_000, ...(query.signal ? { signal: query.signal } : {}) },
  );
  return { ...(output.result as SqlResult), ...(output.body ? { rows: output.body } : {}) };
}

/**
 * Writes a batch of rows exactly once through a SQL connection (`sql.batch`): skipped when its
 * key was written before; a constraint violation names the refused rows and writes the others.
 */
export async function runSqlBatch(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
  batch: Omit<SqlBatchInput, 'dialect' | 'connection'> & { signal?: AbortSignal },
): Promise<SqlBatchResult> {
  if (!sqlSettingsOf(connection))
    throw new ConnectionFailure('invalid_input', `${connection.name} is not a SQL connection`);
  const { signal, ...input } = batch;
  const timeoutMs = input.timeoutMs ?? 60_000;
  const output = await runOperation(
    deps,
    connection,
    {
      kind: 'sql.batch',
      input: {
        ...input,
        dialect: dialectOf(connection),
        connection: sqlConnectionOf(deps, connection),
        timeoutMs,
      },
    },
    // Row by row, a batch runs a few statements per row.
    { deadline: Date.now() + Math.max(timeoutMs * 2, 300_000), ...(signal ? { signal } : {}) },
  );
  return output.result as SqlBatchResult;
}

/** The connection's headers with its auth applied; an OAuth token is obtained or refreshed first. */
async function requestHeaders(
  deps: ConnectionDeps,
  connection: ConnectionWithAgent,
  options: { fresh: boolean },
): Promise<Record<string, string>> {
  const http = httpSettingsOf(connection);
  if (!http) return {};
  const headers: Record<string, string> = { ...http.headers };
  const secrets = openSecrets(deps.secrets, connection);
  const auth = http.auth;
  switch (auth.type) {
    case 'none':
      break;
    case 'basic':
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${secrets.password ?? ''}`).toString('base64')}`;
      break;
    case 'bearer':
      headers.authorization = `Bearer ${secrets.token ?? ''}`;
      break;
    case 'api_key':
      headers[auth.header.toLowerCase()] = secrets.value ?? '';
      break;
    case 'oauth2_client_credentials':
      headers.authorization = `Bearer ${await accessTokenFor(deps, connection, { fresh: options.fresh })}`;
      break;
    case 'oauth2_authorization_code':
      // The stored token is what "Connect" produced; it is refreshed only when it expires.
      headers.authorization = `Bearer ${await accessTokenFor(deps, connection)}`;
      break;
  }
  return headers;
}

function sqlConnectionOf(deps: Pick<ConnectionDeps, 'secrets'>, connection: ConnectionWithAgent) {
  const sql = sqlSettingsOf(connection);
  const { password } = openSecrets(deps.secrets, connection);
  return { ...sql, ...(password === undefined ? {} : { password }) };
}

function dialectOf(connection: Pick<ConnectionWithAgent, 'type'>): 'postgres' | 'mysql' {
  return connection.type === 'MYSQL' ? 'mysql' : 'postgres';
}

function tokenUrlOf(connection: ConnectionWithAgent): string | null {
  const auth = httpSettingsOf(connection)?.auth;
  return auth && 'tokenUrl' in auth ? auth.tokenUrl : null;
}

/** ON_PREMISE needs an agent of the same scope; CLOUD has none. */
async function checkedAgentId(
  deps: Pick<ConnectionDeps, 'db'>,
  scopeId: string,
  mode: 'CLOUD' | 'ON_PREMISE',
  agentId: string | null,
): Promise<string | null> {
  if (mode === 'CLOUD') {
    if (agentId)
      throw invalid(
        'body.agentId',
        'A Cloud connection runs without an agent: leave agentId out, or set mode ON_PREMISE',
      );
    return null;
  }
  if (!agentId)
    throw invalid('body.agentId', 'An On-premise connection needs an agent: pick one of this environment');
  const agent = await deps.db.agent.findFirst({ where: { id: agentId, scopeId }, select: { id: true } });
  if (!agent) throw invalid('body.agentId', 'No agent with this id in this environment');
  return agent.id;
}

/** A Cloud connection to a private address written as a literal (or localhost) is refused at once. */
function refusePrivateLiteral(
  deps: Pick<ConnectionDeps, 'privateTargets'>,
  mode: 'CLOUD' | 'ON_PREMISE',
  settings: StoredSettings,
): void {
  if (mode !== 'CLOUD') return;
  const checks: [path: string, host: string][] =
    'http' in settings
      ? [
          ['body.http.baseUri', new URL(settings.http.baseUri).hostname],
          ...('tokenUrl' in settings.http.auth
            ? [['body.http.auth.tokenUrl', new URL(settings.http.auth.tokenUrl).hostname] as [string, string]]
            : []),
        ]
      : [['body.sql.host', settings.sql.host]];
  for (const [path, host] of checks) {
    const refusal = refuseLiteralHost(host, deps.privateTargets);
    if (refusal) throw new AppError('validation_failed', refusal, [{ path, message: refusal }]);
  }
}

async function assertNameFree(
  deps: Pick<ConnectionDeps, 'db'>,
  scopeId: string,
  name: string,
  exceptId?: string,
) {
  const clash = await deps.db.connection.findFirst({
    where: { scopeId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw conflict(`A connection named "${name}" already exists in this environment`);
}

/** Two saves racing for one name: the unique index decides, and the loser gets a 409. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
      throw conflict(`A connection named "${name}" already exists in this environment`);
    throw error;
  }
}

function invalid(path: string, message: string): AppError {
  return new AppError('validation_failed', message, [{ path, message }]);
}

export function audit(
  caller: Caller,
  action: `connection.${'created' | 'updated' | 'deleted'}`,
  connectionId: string,
  request: Pick<FastifyRequest, 'ip' | 'headers'>,
  metadata: Record<string, string | string[]>,
) {
  return {
    accountId: caller.account.id,
    environmentId: caller.environment.id,
    action,
    actor: caller.actor,
    target: { type: 'connection', id: connectionId },
    metadata,
    request,
  };
}
