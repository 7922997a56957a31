import { z } from 'zod';
import { ResourceName } from './common.ts';

export const ConnectionType = z.enum(['HTTP', 'POSTGRES', 'MYSQL']);
export type ConnectionType = z.infer<typeof ConnectionType>;

/** Cloud: the API runs the executor. On-premise: the chosen agent runs the same executor. */
export const ConnectionMode = z.enum(['CLOUD', 'ON_PREMISE']);
export type ConnectionMode = z.infer<typeof ConnectionMode>;

const Secret = z.string().min(1).max(4096);
const HttpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });
const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'a header name');
/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
export const OAuthClientAuth = z.enum(['client_secret_basic', 'client_secret_post']);

/** The auth types; `secret` makes the secrets required (create) or optional (update: kept when omitted). */
function httpAuth<S extends z.ZodType<string | undefined>>(secret: S) {
  const oauthClient = {
    tokenUrl: HttpUrl,
    clientId: z.string().min(1).max(500),
    clientSecret: secret,
    clientAuth: OAuthClientAuth.default('client_secret_basic'),
    scope: z.string().max(1000).optional(),
  };
  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('none') }),
    z.object({ type: z.literal('basic'), username: z.string().max(200), password: secret }),
    z.object({ type: z.literal('bearer'), token: secret }),
    z.object({ type: z.literal('api_key'), header: HeaderName, value: secret }),
    z.object({ type: z.literal('oauth2_client_credentials'), ...oauthClient }),
    z.object({ type: z.literal('oauth2_authorization_code'), authorizeUrl: HttpUrl, ...oauthClient }),
  ]);
}

/** Secrets (passwords, tokens, client secrets) are write-only: sent on create/update, never returned. */
export const HttpAuth = httpAuth(Secret);
export type HttpAuth = z.infer<typeof HttpAuth>;
/** On update a secret may be left out: the stored one is kept (while the auth type stays the same). */
export const HttpAuthUpdate = httpAuth(Secret.optional());
export type HttpAuthUpdate = z.infer<typeof HttpAuthUpdate>;

export const HttpSettings = z.object({
  baseUri: HttpUrl,
  /** What Test connection requests (GET), relative to the base URI. */
  testPath: z.string().max(2000).regex(/^\//, 'a path starting with /').default('/'),
  /** Sent with every request; not secret (use auth for credentials). */
  headers: z
    .record(
      HeaderName,
      z
        .string()
        .max(4000)
        .regex(/^[^\r\n\0]*$/, 'one line'),
    )
    .optional(),
  auth: HttpAuth.default({ type: 'none' }),
});
export type HttpSettings = z.infer<typeof HttpSettings>;
export const HttpSettingsUpdate = HttpSettings.extend({ auth: HttpAuthUpdate.default({ type: 'none' }) });
export type HttpSettingsUpdate = z.infer<typeof HttpSettingsUpdate>;

export const SqlSettings = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65_535).optional(),
  database: z.string().min(1).max(255),
  user: z.string().min(1).max(255),
  password: Secret.optional(),
  tls: z.enum(['disable', 'prefer', 'require', 'verify-full']).default('prefer'),
  /** PEM certificates to trust for `verify-full`, besides the system's. */
  ca: z.string().max(64_000).optional(),
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
    http: HttpSettingsUpdate,
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
    clientAuth: OAuthClientAuth,
    scope: z.string().optional(),
    clientSecretSet: z.boolean(),
  }),
  z.object({
    type: z.literal('oauth2_authorization_code'),
    authorizeUrl: z.string(),
    tokenUrl: z.string(),
    clientId: z.string(),
    clientAuth: OAuthClientAuth,
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

/** `POST /v1/connections/:id/http`: one HTTP request through an HTTP connection, where it runs. */
export const ConnectionHttpBody = z.object({
  method: z.string().regex(/^[A-Za-z]{1,16}$/, 'an HTTP method'),
  /** Relative to the connection's base URI. */
  path: z.string().max(8192),
  query: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** A small request body (at most 768 KiB once encoded). */
  bodyBase64: z
    .base64()
    .max(768 * 1024)
    .optional(),
  timeoutMs: z.number().int().positive().max(600_000).optional(),
});
export type ConnectionHttpBody = z.infer<typeof ConnectionHttpBody>;

/** `POST /v1/connections/:id/query`: a parameterised statement through a SQL connection. */
export const ConnectionQueryBody = z.object({
  sql: z.string().min(1).max(100_000),
  params: z
    .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .max(1000)
    .optional(),
  timeoutMs: z.number().int().positive().max(600_000).optional(),
});
export type ConnectionQueryBody = z.infer<typeof ConnectionQueryBody>;

export const ConnectionList = z.object({ items: z.array(Connection) });
export type ConnectionList = z.infer<typeof ConnectionList>;

/** "Connect" of an OAuth 2.0 authorization-code connection: where to send the browser. */
export const OAuthAuthorizeQuery = z.object({
  /** A path of the web app to come back to (`/production/resources/connections`); default `/`. */
  returnTo: z
    .string()
    .max(2000)
    .regex(/^\/(?![/\\])/, 'a path on this site, starting with a single /')
    .default('/'),
});
export type OAuthAuthorizeQuery = z.infer<typeof OAuthAuthorizeQuery>;

export const OAuthAuthorizeResponse = z.object({
  /** The authorization server's page, with state and a PKCE challenge: open it in the browser. */
  url: z.string(),
  /** The redirect URI to register with the authorization server. */
  redirectUri: z.string(),
  expiresAt: z.iso.datetime(),
});
export type OAuthAuthorizeResponse = z.infer<typeof OAuthAuthorizeResponse>;

/** What the authorization server appends to the redirect URI. */
export const OAuthCallbackQuery = z.object({
  state: z.string().max(500).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});
export type OAuthCallbackQuery = z.infer<typeof OAuthCallbackQuery>;
