import type { OAuthToken, OAuthTokenInput } from '@outpost/connectors/oauth';
import type { Database } from '@outpost/db/client';
import type { SecretBox } from '../../lib/secret-box.ts';
import { ConnectionFailure, type RunnerDeps, runOperation } from './runner.ts';
import { type ConnectionWithAgent, httpSettingsOf, openSecrets, type StoredHttpAuth } from './settings.ts';

export interface TokenDeps extends RunnerDeps {
  db: Database;
  secrets: SecretBox;
}

/** The sealed OAuth tokens of a connection. */
interface StoredToken {
  accessToken: string;
  refreshToken: string | null;
}

/** A token this close to its expiry is refreshed first. */
const EXPIRY_MARGIN_MS = 60_000;
const EXCHANGE_TIMEOUT_MS = 30_000;
/** One exchange per connection at a time in this process; the others wait for its token. */
const exchanges = new Map<string, Promise<string>>();

type OAuthAuth = Extract<StoredHttpAuth, { type: `oauth2_${string}` }>;

/**
 * The access token to send: the cached one while it is valid, else a new one from the token
 * endpoint (through the agent for an On-premise connection), cached sealed with its expiry.
 * `fresh` skips the cache: Test connection proves the token endpoint works.
 */
export async function accessTokenFor(
  deps: TokenDeps,
  connection: ConnectionWithAgent,
  options: { fresh?: boolean } = {},
): Promise<string> {
  const auth = oauthAuthOf(connection);
  if (!options.fresh) {
    const cached = await deps.db.connection.findUnique({
      where: { id: connection.id },
      select: { oauthTokenCiphertext: true, oauthTokenExpiresAt: true },
    });
    const sealed = cached?.oauthTokenCiphertext;
    const expiresAt = cached?.oauthTokenExpiresAt ?? null;
    if (sealed && (expiresAt === null || expiresAt.getTime() - EXPIRY_MARGIN_MS > Date.now()))
      return openToken(deps.secrets, sealed).accessToken;
  }
  const pending = exchanges.get(connection.id);
  if (pending) return pending;
  const exchange = obtainToken(deps, connection, auth).finally(() => exchanges.delete(connection.id));
  exchanges.set(connection.id, exchange);
  return exchange;
}

async function obtainToken(
  deps: TokenDeps,
  connection: ConnectionWithAgent,
  auth: OAuthAuth,
): Promise<string> {
  const base = { tokenUrl: auth.tokenUrl, clientId: auth.clientId, clientAuth: auth.clientAuth };
  const clientSecret = openSecrets(deps.secrets, connection).clientSecret ?? '';
  if (auth.type === 'oauth2_client_credentials') {
    const token = await exchangeToken(deps, connection, {
      grant: 'client_credentials',
      ...base,
      clientSecret,
      ...(auth.scope ? { scope: auth.scope } : {}),
    });
    return (await storeToken(deps, connection.id, token, null)).accessToken;
  }
  const row = await deps.db.connection.findUnique({
    where: { id: connection.id },
    select: { oauthTokenCiphertext: true },
  });
  const refreshToken = row?.oauthTokenCiphertext
    ? openToken(deps.secrets, row.oauthTokenCiphertext).refreshToken
    : null;
  if (!refreshToken)
    throw new ConnectionFailure(
      'oauth_not_connected',
      `Not connected to ${new URL(auth.authorizeUrl).host} yet, or the token expired: click Connect to authorize Outpost.`,
    );
  try {
    const token = await exchangeToken(deps, connection, {
      grant: 'refresh_token',
      ...base,
      clientSecret,
      refreshToken,
    });
    return (await storeToken(deps, connection.id, token, refreshToken)).accessToken;
  } catch (error) {
    // A refused refresh token will not work again: forget it, so that the form shows "Connect".
    if (error instanceof ConnectionFailure && /invalid_grant/.test(error.message))
      await forgetTokens(deps.db, connection.id);
    throw error;
  }
}

/** Runs `oauth.token` where the connection runs: in the cloud, or on its agent. */
export async function exchangeToken(
  deps: TokenDeps,
  connection: Pick<ConnectionWithAgent, 'mode' | 'agent'>,
  input: OAuthTokenInput,
): Promise<OAuthToken> {
  const { result } = await runOperation(
    deps,
    connection,
    { kind: 'oauth.token', input },
    { deadline: Date.now() + EXCHANGE_TIMEOUT_MS },
  );
  return result as OAuthToken;
}

/** Seals and caches a token; a refresh that brings no new refresh token keeps the old one. */
export async function storeToken(
  deps: Pick<TokenDeps, 'db' | 'secrets'>,
  connectionId: string,
  token: OAuthToken,
  previousRefreshToken: string | null,
): Promise<StoredToken> {
  const stored: StoredToken = {
    accessToken: token.accessToken,
    refreshToken: token.refreshToken ?? previousRefreshToken,
  };
  await deps.db.connection.updateMany({
    where: { id: connectionId },
    data: {
      oauthTokenCiphertext: deps.secrets.seal(JSON.stringify(stored)),
      oauthTokenExpiresAt: token.expiresIn === null ? null : new Date(Date.now() + token.expiresIn * 1000),
    },
  });
  return stored;
}

export async function forgetTokens(db: Database, connectionId: string): Promise<void> {
  await db.connection.updateMany({
    where: { id: connectionId },
    data: { oauthTokenCiphertext: null, oauthTokenExpiresAt: null },
  });
}

function openToken(secrets: SecretBox, sealed: string): StoredToken {
  return JSON.parse(secrets.open(sealed)) as StoredToken;
}

export function oauthAuthOf(connection: Pick<ConnectionWithAgent, 'settings'>): OAuthAuth {
  const auth = httpSettingsOf(connection)?.auth;
  if (auth?.type !== 'oauth2_client_credentials' && auth?.type !== 'oauth2_authorization_code')
    throw new ConnectionFailure('invalid_input', 'This connection does not use OAuth 2.0');
  return auth;
}
