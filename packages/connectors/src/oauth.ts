import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { type Executor, ExecutorError, type RunContext } from './executor.ts';
import { HttpInput, httpExecutor, targetOf } from './http.ts';

/** A token response is small; anything bigger is not a token endpoint. */
const MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;
const TokenUrl = z.url({ protocol: /^https?$/, error: 'an http: or https: URL' });
const Secret = z.string().min(1).max(8192);

const Client = {
  tokenUrl: TokenUrl,
  clientId: z.string().min(1).max(500),
  clientSecret: Secret,
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  clientAuth: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  scope: z.string().max(1000).optional(),
  timeoutMs: z.number().int().positive().max(120_000).optional(),
};

/** `oauth.token`: one exchange at a token endpoint. */
export const OAuthTokenInput = z.discriminatedUnion('grant', [
  z.object({ grant: z.literal('client_credentials'), ...Client }),
  z.object({
    grant: z.literal('authorization_code'),
    ...Client,
    code: z.string().min(1).max(4096),
    redirectUri: z.url(),
    /** The PKCE verifier whose challenge went into the authorization request. */
    codeVerifier: z.string().min(43).max(128),
  }),
  z.object({ grant: z.literal('refresh_token'), ...Client, refreshToken: Secret }),
]);
export type OAuthTokenInput = z.input<typeof OAuthTokenInput>;
type ParsedOAuthTokenInput = z.output<typeof OAuthTokenInput>;

export interface OAuthToken {
  accessToken: string;
  tokenType: string;
  /** Seconds from now, when the server said. */
  expiresIn: number | null;
  refreshToken: string | null;
  scope: string | null;
}

/**
 * `oauth.token`: the token exchange itself (client credentials, authorization code with PKCE,
 * refresh), with oauth4webapi. Its requests go through the `http` executor, so the caller's
 * checks (the Cloud guard, the agent's policy) see the token endpoint like any other host.
 */
export const oauthTokenExecutor: Executor<ParsedOAuthTokenInput> = {
  kind: 'oauth.token',
  input: OAuthTokenInput,
  targets: (input) => [targetOf(new URL(input.tokenUrl))],
  run: async (input, context) => ({ result: await exchangeToken(input, context) }),
};

export async function exchangeToken(input: ParsedOAuthTokenInput, context: RunContext): Promise<OAuthToken> {
  const server: oauth.AuthorizationServer = {
    issuer: new URL(input.tokenUrl).origin,
    token_endpoint: input.tokenUrl,
  };
  const client: oauth.Client = { client_id: input.clientId };
  const clientAuth =
    input.clientAuth === 'client_secret_post'
      ? oauth.ClientSecretPost(input.clientSecret)
      : oauth.ClientSecretBasic(input.clientSecret);
  const options = {
    [oauth.customFetch]: fetchThroughExecutor(context, input.timeoutMs),
    // Intranet authorization servers often speak plain HTTP; the guard and policy still apply.
    [oauth.allowInsecureRequests]: true,
    signal: context.signal,
  };
  const where = new URL(input.tokenUrl).host;
  try {
    let response: oauth.TokenEndpointResponse;
    if (input.grant === 'client_credentials') {
      const parameters = new URLSearchParams(input.scope ? { scope: input.scope } : {});
      const answer = await oauth.clientCredentialsGrantRequest(
        server,
        client,
        clientAuth,
        parameters,
        options,
      );
      response = await oauth.processClientCredentialsResponse(server, client, answer);
    } else if (input.grant === 'authorization_code') {
      const callback = oauth.validateAuthResponse(
        server,
        client,
        new URLSearchParams({ code: input.code }),
        oauth.skipStateCheck,
      );
      const answer = await oauth.authorizationCodeGrantRequest(
        server,
        client,
        clientAuth,
        callback,
        input.redirectUri,
        input.codeVerifier,
        options,
      );
      response = await oauth.processAuthorizationCodeResponse(server, client, answer);
    } else {
      const answer = await oauth.refreshTokenGrantRequest(
        server,
        client,
        clientAuth,
        input.refreshToken,
        options,
      );
      response = await oauth.processRefreshTokenResponse(server, client, answer);
    }
    return {
      accessToken: response.access_token,
      tokenType: response.token_type,
      expiresIn: typeof response.expires_in === 'number' ? response.expires_in : null,
      refreshToken: response.refresh_token ?? null,
      scope: response.scope ?? null,
    };
  } catch (error) {
    throw oauthError(error, where);
  }
}

/** The authorization request URL for "Connect", with a fresh PKCE verifier to keep. */
export async function authorizationRequest(settings: {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope?: string | undefined;
}): Promise<{ url: string; codeVerifier: string }> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const url = new URL(settings.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', settings.redirectUri);
  url.searchParams.set('state', settings.state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (settings.scope) url.searchParams.set('scope', settings.scope);
  return { url: url.href, codeVerifier };
}

/** oauth4webapi's fetch, carried by the `http` executor under the same context. */
function fetchThroughExecutor(context: RunContext, timeoutMs: number | undefined) {
  return async (url: string, init: oauth.CustomFetchOptions<string, unknown>): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, name) => {
      headers[name] = value;
    });
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const input = HttpInput.parse({
      method: init.method,
      url,
      headers,
      ...(body === undefined ? {} : { bodyBase64: Buffer.from(body).toString('base64') }),
      maxRedirects: 0,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    const output = await httpExecutor.run(input, context);
    const result = output.result as { status: number; headers: Record<string, string | string[]> };
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of output.body ?? []) {
      size += chunk.byteLength;
      if (size > MAX_TOKEN_RESPONSE_BYTES)
        throw new ExecutorError(
          'oauth_error',
          `the token endpoint answered more than ${MAX_TOKEN_RESPONSE_BYTES} bytes`,
        );
      chunks.push(Buffer.from(chunk));
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(result.headers))
      for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
    const noBody = result.status === 204 || result.status === 304;
    const status = result.status >= 200 && result.status <= 599 ? result.status : 502;
    return new Response(noBody ? null : Buffer.concat(chunks), { status, headers: responseHeaders });
  };
}

function oauthError(error: unknown, where: string): ExecutorError {
  if (error instanceof ExecutorError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    const detail = error.error_description ? `: ${error.error_description}` : '';
    if (error.error === 'invalid_client' || error.status === 401)
      return new ExecutorError(
        'auth_failed',
        `the authorization server at ${where} refused the client (${error.error})${detail}: check the client ID and secret`,
      );
    if (error.error === 'invalid_grant')
      return new ExecutorError(
        'oauth_error',
        `the authorization server at ${where} refused the grant (invalid_grant)${detail}: connect again`,
      );
    return new ExecutorError(
      'oauth_error',
      `the authorization server at ${where} answered ${error.error}${detail}`,
    );
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError)
    return new ExecutorError(
      'auth_failed',
      `the authorization server at ${where} refused the client (HTTP ${error.status}): check the client ID and secret`,
    );
  if (error instanceof oauth.OperationProcessingError) {
    const response = (error.cause as { status?: unknown } | undefined)?.status;
    const status = typeof response === 'number' ? ` (HTTP ${response})` : '';
    return new ExecutorError(
      'oauth_error',
      `the token endpoint at ${where} answered unexpectedly${status}: ${error.message}`,
    );
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof ExecutorError) return cause;
  return new ExecutorError('oauth_error', `the token exchange with ${where} failed: ${String(error)}`);
}
