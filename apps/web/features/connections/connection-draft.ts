import {
  type Connection,
  type ConnectionMode,
  type ConnectionType,
  CreateConnectionBody,
  type HttpAuth,
  type HttpAuthUpdate,
  type SqlSettings,
  UpdateConnectionBody,
} from '@outpost/protocol/rest/connections';
import { addIssuesByPath } from '../../lib/form-errors';

/**
 * What the connection form holds: every field as the person typed it, strings throughout, so that
 * switching the type, the mode or the auth type never loses what was typed. Pure functions turn it
 * into the API's bodies; the rules (what is sent, which secret is kept) are tested without a browser.
 */
export type AuthType = HttpAuth['type'];
export type ClientAuth = 'client_secret_basic' | 'client_secret_post';
export type SqlTls = SqlSettings['tls'];

export interface HeaderRow {
  name: string;
  value: string;
}

export interface AuthDraft {
  type: AuthType;
  username: string;
  /** Secrets: empty means "not typed" (on edit: keep the stored one). */
  password: string;
  token: string;
  header: string;
  value: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  clientAuth: ClientAuth;
  scope: string;
}

export interface ConnectionDraft {
  type: ConnectionType;
  name: string;
  mode: ConnectionMode;
  /** Empty: none chosen. Kept while the mode is Cloud, so that switching back restores it. */
  agentId: string;
  http: {
    baseUri: string;
    testPath: string;
    headers: HeaderRow[];
    auth: AuthDraft;
  };
  sql: {
    host: string;
    port: string;
    database: string;
    user: string;
    password: string;
    tls: SqlTls;
    ca: string;
  };
}

/** The secret fields of the form, by the field path the API names in its issues. */
export type SecretField =
  | 'http.auth.password'
  | 'http.auth.token'
  | 'http.auth.value'
  | 'http.auth.clientSecret'
  | 'sql.password';

export const DEFAULT_PORTS: Record<Exclude<ConnectionType, 'HTTP'>, number> = {
  POSTGRES: 5432,
  MYSQL: 3306,
};

export const TYPE_LABELS: Record<ConnectionType, string> = {
  HTTP: 'HTTP',
  POSTGRES: 'PostgreSQL',
  MYSQL: 'MySQL',
};

export const MODE_LABELS: Record<ConnectionMode, string> = {
  CLOUD: 'Cloud',
  ON_PREMISE: 'On-premise',
};

export const AUTH_LABELS: Record<AuthType, string> = {
  none: 'None',
  basic: 'Basic (username and password)',
  bearer: 'Bearer token',
  api_key: 'API key (header)',
  oauth2_client_credentials: 'OAuth 2.0: client credentials',
  oauth2_authorization_code: 'OAuth 2.0: authorization code',
};

/** Which secret each auth type needs. */
const AUTH_SECRET: Record<AuthType, SecretField | null> = {
  none: null,
  basic: 'http.auth.password',
  bearer: 'http.auth.token',
  api_key: 'http.auth.value',
  oauth2_client_credentials: 'http.auth.clientSecret',
  oauth2_authorization_code: 'http.auth.clientSecret',
};

const EMPTY_AUTH: AuthDraft = {
  type: 'none',
  username: '',
  password: '',
  token: '',
  header: '',
  value: '',
  authorizeUrl: '',
  tokenUrl: '',
  clientId: '',
  clientSecret: '',
  clientAuth: 'client_secret_basic',
  scope: '',
};

/** A new connection: HTTP, Mode Cloud (the default), nothing typed yet. */
export function emptyDraft(type: ConnectionType = 'HTTP'): ConnectionDraft {
  return {
    type,
    name: '',
    mode: 'CLOUD',
    agentId: '',
    http: { baseUri: '', testPath: '/', headers: [], auth: { ...EMPTY_AUTH } },
    sql: {
      host: '',
      port: type === 'HTTP' ? String(DEFAULT_PORTS.POSTGRES) : String(DEFAULT_PORTS[type]),
      database: '',
      user: '',
      password: '',
      tls: 'prefer',
      ca: '',
    },
  };
}

/** A new type: a port still at the old type's default follows to the new one's. */
export function changeType(draft: ConnectionDraft, type: ConnectionType): ConnectionDraft {
  const defaults = Object.values(DEFAULT_PORTS).map(String);
  const port =
    type !== 'HTTP' && (draft.sql.port === '' || defaults.includes(draft.sql.port))
      ? String(DEFAULT_PORTS[type])
      : draft.sql.port;
  return { ...draft, type, sql: { ...draft.sql, port } };
}

/** The form for a saved connection: its settings, and every secret blank (write-only). */
export function draftFromConnection(connection: Connection): ConnectionDraft {
  const draft = emptyDraft(connection.type);
  draft.name = connection.name;
  draft.mode = connection.mode;
  draft.agentId = connection.agent?.id ?? '';
  if (connection.http) {
    const { auth } = connection.http;
    draft.http = {
      baseUri: connection.http.baseUri,
      testPath: connection.http.testPath,
      headers: Object.entries(connection.http.headers ?? {}).map(([name, value]) => ({ name, value })),
      auth: {
        ...EMPTY_AUTH,
        type: auth.type,
        ...('username' in auth ? { username: auth.username } : {}),
        ...('header' in auth ? { header: auth.header } : {}),
        ...('tokenUrl' in auth
          ? {
              tokenUrl: auth.tokenUrl,
              clientId: auth.clientId,
              clientAuth: auth.clientAuth,
              scope: auth.scope ?? '',
            }
          : {}),
        ...('authorizeUrl' in auth ? { authorizeUrl: auth.authorizeUrl } : {}),
      },
    };
  }
  if (connection.sql) {
    draft.sql = {
      host: connection.sql.host,
      port: connection.sql.port === undefined ? '' : String(connection.sql.port),
      database: connection.sql.database,
      user: connection.sql.user,
      password: '',
      tls: connection.sql.tls,
      ca: connection.sql.ca ?? '',
    };
  }
  return draft;
}

/**
 * Whether the saved connection holds this secret for what the form now describes: the same auth
 * type (a new auth type needs its secret typed again), and the API says it is set.
 */
export function secretIsStored(saved: Connection | undefined, draft: ConnectionDraft, field: SecretField) {
  if (!saved) return false;
  if (field === 'sql.password') return saved.sql?.passwordSet ?? false;
  const auth = saved.http?.auth;
  if (!auth || auth.type !== draft.http.auth.type) return false;
  if ('passwordSet' in auth && field === 'http.auth.password') return auth.passwordSet;
  if ('tokenSet' in auth && field === 'http.auth.token') return auth.tokenSet;
  if ('valueSet' in auth && field === 'http.auth.value') return auth.valueSet;
  if ('clientSecretSet' in auth && field === 'http.auth.clientSecret') return auth.clientSecretSet;
  return false;
}

/** The secret the auth type needs, or null (none). */
export function authSecretField(type: AuthType): SecretField | null {
  return AUTH_SECRET[type];
}

/** Whether the form differs from what was saved (or, for a new connection, from an empty form). */
export function isDirty(draft: ConnectionDraft, saved: ConnectionDraft): boolean {
  return JSON.stringify(draft) !== JSON.stringify(saved);
}

/** A string, or undefined when blank: optional fields are left out rather than sent empty. */
function optional(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A secret exactly as typed (spaces may matter), or undefined when nothing was typed. */
function typedSecret(value: string): string | undefined {
  return value === '' ? undefined : value;
}

function headersOf(rows: HeaderRow[]): Record<string, string> | undefined {
  const filled = rows.filter((row) => row.name.trim() !== '' || row.value.trim() !== '');
  if (filled.length === 0) return undefined;
  return Object.fromEntries(filled.map((row) => [row.name.trim(), row.value.trim()]));
}

/** The auth object for the API; secrets only when typed (left out on edit: the stored one is kept). */
function authOf(auth: AuthDraft): HttpAuthUpdate {
  const oauthClient = {
    tokenUrl: auth.tokenUrl.trim(),
    clientId: auth.clientId.trim(),
    clientSecret: typedSecret(auth.clientSecret),
    clientAuth: auth.clientAuth,
    scope: optional(auth.scope),
  };
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: auth.username.trim(), password: typedSecret(auth.password) };
    case 'bearer':
      return { type: 'bearer', token: typedSecret(auth.token) };
    case 'api_key':
      return { type: 'api_key', header: auth.header.trim(), value: typedSecret(auth.value) };
    case 'oauth2_client_credentials':
      return { type: 'oauth2_client_credentials', ...oauthClient };
    case 'oauth2_authorization_code':
      return { type: 'oauth2_authorization_code', authorizeUrl: auth.authorizeUrl.trim(), ...oauthClient };
  }
}

/** Drops keys whose value is undefined: JSON would drop them too, but tests compare objects. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function httpOf(draft: ConnectionDraft) {
  return compact({
    baseUri: draft.http.baseUri.trim(),
    testPath: draft.http.testPath.trim() || '/',
    headers: headersOf(draft.http.headers),
    auth: compact(authOf(draft.http.auth)),
  });
}

function sqlOf(draft: ConnectionDraft) {
  const port = draft.sql.port.trim();
  return compact({
    host: draft.sql.host.trim(),
    port: port === '' ? undefined : Number(port),
    database: draft.sql.database.trim(),
    user: draft.sql.user.trim(),
    password: typedSecret(draft.sql.password),
    tls: draft.sql.tls,
    ca: draft.sql.tls === 'verify-full' ? optional(draft.sql.ca) : undefined,
  });
}

/** What `POST /v1/connections` is sent. */
export function createBody(draft: ConnectionDraft): unknown {
  const common = compact({
    name: draft.name.trim(),
    mode: draft.mode,
    agentId: draft.mode === 'ON_PREMISE' ? optional(draft.agentId) : undefined,
  });
  return draft.type === 'HTTP'
    ? { ...common, type: 'HTTP', http: httpOf(draft) }
    : { ...common, type: draft.type, sql: sqlOf(draft) };
}

/**
 * What `PATCH /v1/connections/:id` is sent: the settings whole (the API replaces them), secrets
 * only when typed. A Cloud connection has no agent (`agentId: null`).
 */
export function updateBody(draft: ConnectionDraft): unknown {
  return {
    name: draft.name.trim(),
    mode: draft.mode,
    agentId: draft.mode === 'ON_PREMISE' ? (optional(draft.agentId) ?? null) : null,
    ...(draft.type === 'HTTP' ? { http: httpOf(draft) } : { sql: sqlOf(draft) }),
  };
}

export type FieldErrors = Record<string, string>;

const URL_PATTERN = /^https?:\/\/[^\s/?#]+/i;

function checkUrl(errors: FieldErrors, field: string, value: string, example: string, what: string) {
  const trimmed = value.trim();
  if (trimmed === '') errors[field] = `Enter the ${what}, e.g. ${example}`;
  else if (!URL_PATTERN.test(trimmed) || !URL.canParse(trimmed))
    errors[field] = `Enter an http:// or https:// URL, e.g. ${example}`;
}

/**
 * Checks before the request, with messages that say what to type; keys are the API's issue paths
 * without `body.` (`http.baseUri`, `agentId`), so that the API's own messages land in the same
 * places. The API checks again and its messages win.
 */
export function validateDraft(draft: ConnectionDraft, saved?: Connection): FieldErrors {
  const errors: FieldErrors = {};
  const name = draft.name.trim();
  if (name === '') errors.name = 'Name is required';
  else if (name.length > 100) errors.name = 'Name is at most 100 characters';
  if (draft.mode === 'ON_PREMISE' && draft.agentId === '')
    errors.agentId = 'Choose the agent that runs this connection';

  const secretMissing = (field: SecretField, value: string, what: string) => {
    if (value === '' && !secretIsStored(saved, draft, field)) errors[field] = `Enter the ${what}`;
  };

  if (draft.type === 'HTTP') {
    const { http } = draft;
    checkUrl(errors, 'http.baseUri', http.baseUri, 'http://localhost:8080', 'base URI');
    const testPath = http.testPath.trim();
    if (testPath !== '' && !testPath.startsWith('/')) errors['http.testPath'] = 'Start the path with /';
    http.headers.forEach((row, index) => {
      if (row.name.trim() === '' && row.value.trim() !== '')
        errors[`http.headers.${index}`] = 'Enter the header name';
      else if (row.name.trim() !== '' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(row.name.trim()))
        errors[`http.headers.${index}`] = 'A header name has letters, digits and - only';
    });
    const { auth } = http;
    switch (auth.type) {
      case 'basic':
        if (auth.username.trim() === '') errors['http.auth.username'] = 'Enter the username';
        secretMissing('http.auth.password', auth.password, 'password');
        break;
      case 'bearer':
        secretMissing('http.auth.token', auth.token, 'token');
        break;
      case 'api_key':
        if (auth.header.trim() === '') errors['http.auth.header'] = 'Enter the header name, e.g. X-API-Key';
        else if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(auth.header.trim()))
          errors['http.auth.header'] = 'A header name has letters, digits and - only';
        secretMissing('http.auth.value', auth.value, 'API key');
        break;
      case 'oauth2_authorization_code':
        checkUrl(
          errors,
          'http.auth.authorizeUrl',
          auth.authorizeUrl,
          'https://login.example.com/authorize',
          'authorize URL',
        );
        checkOAuthClient(errors, auth, secretMissing);
        break;
      case 'oauth2_client_credentials':
        checkOAuthClient(errors, auth, secretMissing);
        break;
      case 'none':
        break;
    }
  } else {
    const { sql } = draft;
    if (sql.host.trim() === '') errors['sql.host'] = 'Enter the host, e.g. localhost';
    const port = sql.port.trim();
    if (port !== '' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535))
      errors['sql.port'] = 'Enter a port from 1 to 65535';
    if (sql.database.trim() === '') errors['sql.database'] = 'Enter the database name';
    if (sql.user.trim() === '') errors['sql.user'] = 'Enter the user name';
  }

  // Anything the checks above missed, in the API's own words.
  if (Object.keys(errors).length === 0) {
    const parsed = saved
      ? UpdateConnectionBody.safeParse(updateBody(draft))
      : CreateConnectionBody.safeParse(createBody(draft));
    if (!parsed.success) addIssuesByPath(errors, parsed.error.issues);
  }
  return errors;
}

function checkOAuthClient(
  errors: FieldErrors,
  auth: AuthDraft,
  secretMissing: (field: SecretField, value: string, what: string) => void,
) {
  checkUrl(errors, 'http.auth.tokenUrl', auth.tokenUrl, 'https://login.example.com/token', 'token URL');
  if (auth.clientId.trim() === '') errors['http.auth.clientId'] = 'Enter the client ID';
  secretMissing('http.auth.clientSecret', auth.clientSecret, 'client secret');
}
