import { randomBytes } from 'node:crypto';
import { authorizationRequest } from '@outpost/connectors/oauth';
import type { OAuthAuthorizeResponse, OAuthCallbackQuery } from '@outpost/protocol/rest/connections';
import { digestToken } from '@outpost/protocol/tokens';
import type { FastifyRequest } from 'fastify';
import type { Actor, RequestContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { findSessionByCookie, SESSION_COOKIE } from '../auth/sessions.ts';
import { ConnectionFailure } from './runner.ts';
import { type ConnectionDeps, getConnection } from './service.ts';
import { httpSettingsOf, openSecrets } from './settings.ts';
import { exchangeToken, storeToken } from './tokens.ts';

const STATE_TTL_MS = 10 * 60_000;

/** What a pending "Connect" keeps, sealed, until the authorization server sends the browser back. */
interface PendingAuthorization {
  codeVerifier: string;
  /** Absolute URL of the page to come back to. */
  returnTo: string;
  actor: Actor;
  accountId: string;
  environmentId: string;
}

type Caller = Pick<RequestContext, 'actor' | 'account' | 'environment'>;

export function oauthRedirectUri(publicUrl: string): string {
  return `${publicUrl}/v1/oauth/callback`;
}

/**
 * "Connect": the authorization server's URL, with a single-use state (its digest stored, like a
 * token's) and a PKCE challenge. The browser that follows it comes back to `GET /v1/oauth/callback`.
 */
export async function startOAuthAuthorization(
  deps: ConnectionDeps & { publicUrl: string },
  caller: Caller,
  connectionId: string,
  returnTo: string,
  request: FastifyRequest,
): Promise<OAuthAuthorizeResponse> {
  const connection = await getConnection(deps, caller.environment.scopeId, connectionId);
  const auth = httpSettingsOf(connection)?.auth;
  if (auth?.type !== 'oauth2_authorization_code')
    throw new AppError('bad_request', 'Connect is for connections with OAuth 2.0 authorization code auth');
  const state = randomBytes(32).toString('base64url');
  const redirectUri = oauthRedirectUri(deps.publicUrl);
  const { url, codeVerifier } = await authorizationRequest({
    authorizeUrl: auth.authorizeUrl,
    clientId: auth.clientId,
    redirectUri,
    state,
    scope: auth.scope,
  });
  const pending: PendingAuthorization = {
    codeVerifier,
    returnTo: new URL(returnTo, pageOrigin(request, deps.publicUrl)).href,
    actor: caller.actor,
    accountId: caller.account.id,
    environmentId: caller.environment.id,
  };
  const expiresAt = new Date(Date.now() + STATE_TTL_MS);
  await deps.db.connection.update({
    where: { id: connection.id },
    data: {
      oauthStateDigest: digestToken(state),
      oauthStateCiphertext: deps.secrets.seal(JSON.stringify(pending)),
      oauthStateExpiresAt: expiresAt,
    },
  });
  return { url, redirectUri, expiresAt: expiresAt.toISOString() };
}

/**
 * The authorization server sent the browser back: the state names the connection (and is used
 * up), the code is exchanged where the connection runs (on its agent when On-premise), and the
 * browser goes back to the page that started it, told how it went. Returns that page's URL.
 */
export async function completeOAuthAuthorization(
  deps: ConnectionDeps & { publicUrl: string },
  query: OAuthCallbackQuery,
  request: FastifyRequest,
): Promise<string> {
  const expired = new AppError(
    'bad_request',
    'This Connect link expired or was already used: click Connect on the connection again.',
  );
  if (!query.state) throw expired;
  const digest = digestToken(query.state);
  const connection = await deps.db.connection.findUnique({
    where: { oauthStateDigest: digest },
    include: { agent: true },
  });
  if (!connection?.oauthStateCiphertext || !connection.oauthStateExpiresAt) throw expired;
  // Used up at once, so that a second request with the same state finds nothing.
  const { count } = await deps.db.connection.updateMany({
    where: { id: connection.id, oauthStateDigest: digest },
    data: { oauthStateDigest: null, oauthStateCiphertext: null, oauthStateExpiresAt: null },
  });
  if (count === 0 || connection.oauthStateExpiresAt.getTime() < Date.now()) throw expired;
  const pending = JSON.parse(deps.secrets.open(connection.oauthStateCiphertext)) as PendingAuthorization;

  // A person's Connect finishes only in a browser signed in as that person: a link that someone
  // else started cannot attach their authorization server account to it.
  if (pending.actor.type === 'user') {
    const cookie = request.cookies[SESSION_COOKIE];
    const session = cookie ? await findSessionByCookie(deps.db, cookie) : null;
    if (session?.user.id !== pending.actor.id)
      throw new AppError('forbidden', 'Finish Connect in the browser, and as the person, that started it.');
  }

  const back = (outcome: Record<string, string>) => {
    const url = new URL(pending.returnTo);
    for (const [name, value] of Object.entries({ ...outcome, connection: connection.id }))
      url.searchParams.set(name, value);
    return url.href;
  };
  if (query.error || !query.code) {
    const reason = query.error_description ?? query.error ?? 'no authorization code';
    return back({ oauth: 'error', message: `The authorization server said: ${reason}` });
  }
  const auth = httpSettingsOf(connection)?.auth;
  if (auth?.type !== 'oauth2_authorization_code')
    return back({
      oauth: 'error',
      message: 'The connection no longer uses OAuth 2.0 authorization code auth',
    });
  try {
    const token = await exchangeToken(deps, connection, {
      grant: 'authorization_code',
      tokenUrl: auth.tokenUrl,
      clientId: auth.clientId,
      clientAuth: auth.clientAuth,
      clientSecret: openSecrets(deps.secrets, connection).clientSecret ?? '',
      code: query.code,
      redirectUri: oauthRedirectUri(deps.publicUrl),
      codeVerifier: pending.codeVerifier,
    });
    await storeToken(deps, connection.id, token, null);
  } catch (error) {
    if (!(error instanceof ConnectionFailure)) throw error;
    return back({ oauth: 'error', code: error.code, message: error.message });
  }
  await recordAuditEvent(deps.db, {
    accountId: pending.accountId,
    environmentId: pending.environmentId,
    action: 'connection.updated',
    actor: pending.actor,
    target: { type: 'connection', id: connection.id },
    metadata: { oauth: 'connected' },
    request,
  });
  return back({ oauth: 'connected' });
}

/** The web page's origin (the Referer of the authorize request), else the public URL. */
function pageOrigin(request: FastifyRequest, publicUrl: string): string {
  const referer = request.headers.referer;
  if (referer && URL.canParse(referer)) {
    const url = new URL(referer);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  }
  return publicUrl;
}
