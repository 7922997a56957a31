import { randomBytes } from 'node:crypto';
import { createDatabaseClient, type Database } from '@outpost/db/client';
import { createTestDatabase } from '@outpost/db/testing';
import type { License, Me } from '@outpost/protocol/rest/accounts';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { SecretBox } from '../src/lib/secret-box.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  close(): Promise<void>;
}

/** The API on a fresh database of its own; close it in afterAll. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const db = createDatabaseClient({ url: database.url, poolSize: 4 });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    OUTPOST_DATA_DIR: '/nonexistent',
    OUTPOST_AUTH_RATE_LIMIT: '1000',
    ...env,
  });
  const app = await buildApp({ config, db, secrets: new SecretBox(randomBytes(32)) });
  await app.ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.$disconnect();
      await database.drop();
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

/** One request through `inject`, with the headers a browser or a program would send. */
export function call(
  app: FastifyInstance,
  method: string,
  url: string,
  options: CallOptions = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { 'x-outpost-client': 'test', ...options.headers };
  if (options.as && 'cookie' in options.as) headers.cookie = `outpost_session=${options.as.cookie}`;
  if (options.as && 'apiToken' in options.as) headers.authorization = `Bearer ${options.as.apiToken}`;
  if (options.environment) headers['x-outpost-environment'] = options.environment;
  return app.inject({
    method: method as 'GET',
    url,
    headers,
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
