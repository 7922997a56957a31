import type { Agent as AgentRow, Connection as ConnectionRow } from '@outpost/db/client';
import type {
  Connection as ConnectionView,
  HttpAuthUpdate,
  HttpAuthView,
  HttpSettingsUpdate,
  OAuthClientAuth,
  SqlSettings,
} from '@outpost/protocol/rest/connections';
import type { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import { agentStatus } from '../agents/service.ts';

/** HTTP auth as stored: every field but the secrets. */
export type StoredHttpAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string }
  | { type: 'bearer' }
  | { type: 'api_key'; header: string }
  | {
      type: 'oauth2_client_credentials';
      tokenUrl: string;
      clientId: string;
      clientAuth: z.infer<typeof OAuthClientAuth>;
      scope?: string | undefined;
    }
  | {
      type: 'oauth2_authorization_code';
      authorizeUrl: string;
      tokenUrl: string;
      clientId: string;
      clientAuth: z.infer<typeof OAuthClientAuth>;
      scope?: string | undefined;
    };

export interface StoredHttpSettings {
  baseUri: string;
  testPath: string;
  headers?: Record<string, string> | undefined;
  auth: StoredHttpAuth;
}

export type StoredSqlSettings = Omit<SqlSettings, 'password'>;

/** The settings column: one of the two, by the connection's type. */
export type StoredSettings = { http: StoredHttpSettings } | { sql: StoredSqlSettings };

/** The sealed secrets column. */
export interface Secrets {
  password?: string;
  token?: string;
  value?: string;
  clientSecret?: string;
}

/** Which secret each auth type needs. */
const AUTH_SECRET: Record<StoredHttpAuth['type'], keyof Secrets | null> = {
  none: null,
  basic: 'password',
  bearer: 'token',
  api_key: 'value',
  oauth2_client_credentials: 'clientSecret',
  oauth2_authorization_code: 'clientSecret',
};

export type ConnectionWithAgent = ConnectionRow & { agent: AgentRow | null };

export function openSecrets(secrets: SecretBox, row: Pick<ConnectionRow, 'secretsCiphertext'>): Secrets {
  return row.secretsCiphertext ? (JSON.parse(secrets.open(row.secretsCiphertext)) as Secrets) : {};
}

export function sealSecrets(secrets: SecretBox, values: Secrets): string | null {
  const present = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
  return Object.keys(present).length ? secrets.seal(JSON.stringify(present)) : null;
}

export function storedSettings(row: Pick<ConnectionRow, 'settings'>): StoredSettings {
  return row.settings as unknown as StoredSettings;
}

export function httpSettingsOf(row: Pick<ConnectionRow, 'settings'>): StoredHttpSettings | null {
  const settings = storedSettings(row);
  return 'http' in settings ? settings.http : null;
}

export function sqlSettingsOf(row: Pick<ConnectionRow, 'settings'>): StoredSqlSettings | null {
  const settings = storedSettings(row);
  return 'sql' in settings ? settings.sql : null;
}

/**
 * Splits HTTP settings from a request into what is stored in the clear and the secret. A secret
 * left out is kept from `previous` while the auth type stays the same; otherwise it is required.
 */
export function splitHttpSettings(
  http: HttpSettingsUpdate,
  previous: { auth: StoredHttpAuth; secrets: Secrets } | null,
): { settings: StoredHttpSettings; secrets: Secrets } {
  const { auth, ...rest } = http;
  const secretField = AUTH_SECRET[auth.type];
  const given = secretField ? (auth as Record<string, unknown>)[secretField] : undefined;
  const secrets: Secrets = {};
  if (secretField) {
    const kept = previous?.auth.type === auth.type ? previous.secrets[secretField] : undefined;
    const value = typeof given === 'string' ? given : kept;
    if (value === undefined)
      throw new AppError('validation_failed', `${secretField} is required for ${auth.type} auth`, [
        { path: `body.http.auth.${secretField}`, message: `Required for ${auth.type} auth` },
      ]);
    secrets[secretField] = value;
  }
  return { settings: { ...rest, auth: storedAuth(auth) }, secrets };
}

function storedAuth(auth: HttpAuthUpdate): StoredHttpAuth {
  switch (auth.type) {
    case 'none':
    case 'bearer':
      return { type: auth.type };
    case 'basic':
      return { type: 'basic', username: auth.username };
    case 'api_key':
      return { type: 'api_key', header: auth.header };
    case 'oauth2_client_credentials':
      return {
        type: auth.type,
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientAuth: auth.clientAuth,
        ...(auth.scope === undefined ? {} : { scope: auth.scope }),
      };
    case 'oauth2_authorization_code':
      return {
        type: auth.type,
        authorizeUrl: auth.authorizeUrl,
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientAuth: auth.clientAuth,
        ...(auth.scope === undefined ? {} : { scope: auth.scope }),
      };
  }
}

/** SQL settings: the password is kept from `previous` when left out. */
export function splitSqlSettings(
  sql: SqlSettings,
  previous: Secrets | null,
): { settings: StoredSqlSettings; secrets: Secrets } {
  const { password, ...settings } = sql;
  const kept = password ?? previous?.password;
  return { settings, secrets: kept === undefined ? {} : { password: kept } };
}

/** What the API returns: settings without any secret, and whether each secret is set. */
export function toConnectionView(row: ConnectionWithAgent, secrets: Secrets): ConnectionView {
  const http = httpSettingsOf(row);
  const sql = sqlSettingsOf(row);
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    mode: row.mode,
    agent: row.agent ? { id: row.agent.id, name: row.agent.name, status: agentStatus(row.agent) } : null,
    http: http
      ? {
          baseUri: http.baseUri,
          testPath: http.testPath,
          ...(http.headers ? { headers: http.headers } : {}),
          auth: authView(http.auth, secrets, row.oauthTokenCiphertext !== null),
        }
      : null,
    sql: sql ? { ...sql, passwordSet: secrets.password !== undefined } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function authView(auth: StoredHttpAuth, secrets: Secrets, hasToken: boolean): HttpAuthView {
  switch (auth.type) {
    case 'none':
      return auth;
    case 'basic':
      return { ...auth, passwordSet: secrets.password !== undefined };
    case 'bearer':
      return { ...auth, tokenSet: secrets.token !== undefined };
    case 'api_key':
      return { ...auth, valueSet: secrets.value !== undefined };
    case 'oauth2_client_credentials':
      return { ...auth, clientSecretSet: secrets.clientSecret !== undefined };
    case 'oauth2_authorization_code':
      return { ...auth, clientSecretSet: secrets.clientSecret !== undefined, connected: hasToken };
  }
}

/** The base URI joined with a path (not resolved: a path cannot change the host). */
export function joinUrl(baseUri: string, path: string): string {
  const base = new URL(baseUri);
  const basePath = base.pathname.replace(/\/+$/, '');
  const [pathname = '', search] = path.split('?');
  const url = new URL(base.origin);
  url.pathname = `${basePath}/${pathname.replace(/^\/+/, '')}`;
  url.search = search === undefined ? base.search : `?${search}`;
  return url.href;
}
