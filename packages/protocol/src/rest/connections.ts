import { z } from 'zod';
import { ResourceName } from './common.ts';

export const ConnectionType = z.enum(['HTTP', 'POSTGRES', 'MYSQL']);
export type ConnectionType = z.infer<typeof ConnectionType>;

/** Cloud: the API runs the executor. On-premise: the chosen agent runs the same executor. */
export const ConnectionMode = z.enum(['CLOUD', 'ON_PREMISE']);
export type ConnectionMode = z.infer<typeof ConnectionMode>;

const Secret = z.string().min(1).max(4096);

/** Secrets (passwords, tokens, client secrets) are write-only: sent on create/update, never returned. */
export const HttpAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('basic'), username: z.string().max(200), password: Secret }),
  z.object({ type: z.literal('bearer'), token: Secret }),
  z.object({ type: z.literal('api_key'), header: z.string().min(1).max(100), value: Secret }),
  z.object({
    type: z.literal('oauth2_client_credentials'),
    tokenUrl: z.url(),
    clientId: z.string().min(1).max(500),
    clientSecret: Secret,
    scope: z.string().max(1000).optional(),
  }),
  z.object({
    type: z.literal('oauth2_authorization_code'),
    authorizeUrl: z.url(),
    tokenUrl: z.url(),
    clientId: z.string().min(1).max(500),
    clientSecret: Secret,
    scope: z.string().max(1000).optional(),
  }),
]);
export type HttpAuth = z.infer<typeof HttpAuth>;

export const HttpSettings = z.object({
  baseUri: z.url({ protocol: /^https?$/ }),
  /** What Test connection requests (GET), relative to the base URI. */
  testPath: z.string().max(2000).default('/'),
  headers: z.record(z.string().max(100), z.string().max(4000)).optional(),
  auth: HttpAuth.default({ type: 'none' }),
});
export type HttpSettings = z.infer<typeof HttpSettings>;

export const SqlSettings = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65_535).optional(),
  database: z.string().min(1).max(255),
  user: z.string().min(1).max(255),
  password: Secret.optional(),
  tls: z.enum(['disable', 'prefer', 'require', 'verify-full']).default('prefer'),
});
export type SqlSettings = z.infer<typeof SqlSettings>;

const ConnectionFields = {
  name: ResourceName,
  mode: ConnectionMode.default('CLOUD'),
  /** Required when `mode` is ON_PREMISE: an agent of the same environment. */
  agentId: z.uuid().nullable().optional(),
};

export const CreateConnectionBody = z.discriminatedUnion('type', [
  z.object({ ...ConnectionFields, type: z.literal('HTTP'), http: HttpSettings }),
  z.object({ ...ConnectionFields, type: z.literal('POSTGRES'), sql: SqlSettings }),
  z.object({ ...ConnectionFields, type: z.literal('MYSQL'), sql: SqlSettings }),
]);
export type CreateConnectionBody = z.infer<typeof CreateConnectionBody>;

/**
 * A change: any of the fields; settings are replaced whole except secrets, which are kept when
 * omitted (so a form can save without re-typing a password).
 */
export const UpdateConnectionBody = z
  .object({
    name: ResourceName,
    mode: ConnectionMode,
    agentId: z.uuid().nullable(),
    http: HttpSettings,
    sql: SqlSettings,
  })
  .partial();
export type UpdateConnectionBody = z.infer<typeof UpdateConnectionBody>;

/** Auth as returned: never a secret, only whether each one is set. */
export const HttpAuthView = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('basic'), username: z.string(), passwordSet: z.boolean() }),
  z.object({ type: z.literal('bearer'), tokenSet: z.boolean() }),
  z.object({ type: z.literal('api_key'), header: z.string(), valueSet: z.boolean() }),
  z.object({
    type: z.literal('oauth2_client_credentials'),
    tokenUrl: z.string(),
    clientId: z.string(),
    scope: z.string().optional(),
    clientSecretSet: z.boolean(),
  }),
  z.object({
    type: z.literal('oauth2_authorization_code'),
    authorizeUrl: z.string(),
    tokenUrl: z.string(),
    clientId: z.string(),
    scope: z.string().optional(),
    clientSecretSet: z.boolean(),
    /** Whether "Connect" has been completed and the connection holds a token. */
    connected: z.boolean(),
  }),
]);
export type HttpAuthView = z.infer<typeof HttpAuthView>;

/** What is returned: settings without any secret, and whether each secret is set. */
export const Connection = z.object({
  id: z.uuid(),
  name: z.string(),
  type: ConnectionType,
  mode: ConnectionMode,
  agent: z
    .object({ id: z.uuid(), name: z.string(), status: z.enum(['awaiting_setup', 'online', 'offline']) })
    .nullable(),
  http: z
    .object({
      baseUri: z.string(),
      testPath: z.string(),
      headers: z.record(z.string(), z.string()).optional(),
      auth: HttpAuthView,
    })
    .nullable(),
  sql: SqlSettings.omit({ password: true }).extend({ passwordSet: z.boolean() }).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Connection = z.infer<typeof Connection>;

/** `POST /v1/connections/:id/test` answers 200 either way. */
export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  message: z.string(),
  /** `ok`, or what failed: `agent_offline`, `dns_failed`, `connection_refused`, `tls_error`, `http_401`, `timeout`, `policy_denied`, `ssrf_blocked`… */
  code: z.string(),
  durationMs: z.number(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;
