import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabaseClient, type Database } from '@outpost/db/client';
import { createTestDatabase } from '@outpost/db/testing';
import type { License, Me } from '@outpost/protocol/rest/accounts';
import type { ApiTokenRole, CreatedApiToken } from '@outpost/protocol/rest/api-tokens';
import type { Member } from '@outpost/protocol/rest/members';
import type { Role } from '@outpost/protocol/roles';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { type AppDependencies, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { SecretBox } from '../src/lib/secret-box.ts';

/** The built agent; turbo builds apps/agent before the API's tests. */
export const AGENT_DIST_DIR = path.resolve(import.meta.dirname, '../../agent/dist');

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  close(): Promise<void>;
}

/** The API on a fresh database of its own; close it in afterAll. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: Pick<AppDependencies, 'logStream' | 'serverTimeouts'> = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const db = createDatabaseClient({ url: database.url, poolSize: 4 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outpost-api-test-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    OUTPOST_DATA_DIR: dataDir,
    OUTPOST_AUTH_RATE_LIMIT: '1000',
    ...env,
  });
  const app = await buildApp({
    config,
    db,
    secrets: new SecretBox(randomBytes(32)),
    agentDistDir: AGENT_DIST_DIR,
    ...options,
  });
  await app.ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.$disconnect();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** How a test request authenticates: a browser session (cookie) or a program (API token). */
export type Credentials = { cookie: string } | { apiToken: string } | undefined;

export interface CallOptions {
  as?: Credentials;
  /** Environment slug for cookie requests (`x-outpost-environment`). */
  environment?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The headers a browser (cookie, client header, environment) or a program (bearer token) sends. */
export function requestHeaders(options: CallOptions = {}): Record<string, string> {
  const headers: Record<string, string> = { 'x-outpost-client': 'test', ...options.headers };
  if (options.as && 'cookie' in options.as) headers.cookie = `outpost_session=${options.as.cookie}`;
  if (options.as && 'apiToken' in options.as) headers.authorization = `Bearer ${options.as.apiToken}`;
  if (options.environment) headers['x-outpost-environment'] = options.environment;
  return headers;
}

/** One request through `inject`, with the headers a browser or a program would send. */
export function call(
  app: FastifyInstance,
  method: string,
  url: string,
  options: CallOptions = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: method as 'GET',
    url,
    headers: requestHeaders(options),
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
}

let counter = 0;
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}-${counter}-${randomBytes(3).toString('hex')}@example.test`;
}

export const PASSWORD = 'correct horse battery staple';

export interface SignedUp {
  cookie: string;
  me: Me;
  email: string;
}

/** Signs up a new user and account over HTTP and returns the session cookie. */
export async function signUp(
  app: FastifyInstance,
  options: { license?: License; email?: string; accountName?: string } = {},
): Promise<SignedUp> {
  const email = options.email ?? uniqueEmail('owner');
  const response = await call(app, 'POST', '/v1/auth/signup', {
    body: { email, password: PASSWORD, accountName: options.accountName ?? 'Acme', license: options.license },
  });
  if (response.statusCode !== 201) throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
  return { cookie: sessionCookie(response), me: response.json(), email };
}

/** Signs in an existing user and returns the new session cookie. */
export async function logIn(app: FastifyInstance, email: string, password = PASSWORD): Promise<string> {
  const response = await call(app, 'POST', '/v1/auth/login', { body: { email, password } });
  if (response.statusCode !== 200) throw new Error(`log-in failed: ${response.statusCode} ${response.body}`);
  return sessionCookie(response);
}

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((candidate) => candidate.name === 'outpost_session');
  if (!cookie) throw new Error('no session cookie in the response');
  return cookie.value;
}

export interface AddedMember {
  /** A session of the member in the account they were added to. */
  cookie: string;
  member: Member;
  email: string;
}

/**
 * Adds a member over HTTP the way a person joins: the owner adds their e-mail, they sign up (which
 * gives them an account of their own too) and switch to the account they were added to.
 */
export async function addMember(
  app: FastifyInstance,
  owner: SignedUp,
  role: Role,
  options: { email?: string } = {},
): Promise<AddedMember> {
  const email = options.email ?? uniqueEmail(role.toLowerCase());
  const added = await call(app, 'POST', '/v1/members', {
    as: { cookie: owner.cookie },
    body: { email, role },
  });
  if (added.statusCode !== 201) throw new Error(`add member failed: ${added.statusCode} ${added.body}`);
  const invitee = await signUp(app, { email, accountName: `${role} personal` });
  const switched = await call(app, 'POST', '/v1/me/account', {
    as: { cookie: invitee.cookie },
    body: { accountId: owner.me.account.id },
  });
  if (switched.statusCode !== 200) throw new Error(`switch failed: ${switched.statusCode} ${switched.body}`);
  return { cookie: sessionCookie(switched), member: added.json(), email };
}

/** Creates an API token over HTTP (in `environment`, default production) and returns it with its token. */
export async function createApiToken(
  app: FastifyInstance,
  as: Credentials,
  options: { name?: string; role?: ApiTokenRole; environment?: string } = {},
): Promise<CreatedApiToken> {
  counter += 1;
  const response = await call(app, 'POST', '/v1/api-tokens', {
    as,
    ...(options.environment ? { environment: options.environment } : {}),
    body: { name: options.name ?? `token ${counter}`, role: options.role ?? 'ADMIN' },
  });
  if (response.statusCode !== 201)
    throw new Error(`create token failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

/** The `issues[].path` of a validation error. */
export function issuePaths(response: LightMyRequestResponse): string[] {
  const body = response.json() as { error?: { issues?: { path: string }[] } };
  return body.error?.issues?.map((issue) => issue.path) ?? [];
}
