import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT, startTestServers, type TestServers } from '../test/fixtures/test-servers.mjs';
import { ExecutorError, parseInput, type RunContext } from './executor.ts';
import { authorizationRequest, type OAuthToken, type OAuthTokenInput, oauthTokenExecutor } from './oauth.ts';

let servers: TestServers;
let tokenUrl: string;

beforeAll(async () => {
  servers = await startTestServers();
  tokenUrl = `http://127.0.0.1:${servers.oauthPort}/token`;
});
afterAll(() => servers.close());

function context(extra: Partial<RunContext> = {}): RunContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 10_000, ...extra };
}

async function exchange(input: OAuthTokenInput, extra: Partial<RunContext> = {}): Promise<OAuthToken> {
  return (await oauthTokenExecutor.run(parseInput(oauthTokenExecutor, input), context(extra)))
    .result as OAuthToken;
}

async function failure(promise: Promise<unknown>): Promise<ExecutorError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ExecutorError);
  return error as ExecutorError;
}

const credentials = () => ({ tokenUrl, clientId: CLIENT.id, clientSecret: CLIENT.secret });

describe('the oauth.token executor', () => {
  it('exchanges client credentials, with HTTP Basic or in the form', async () => {
    const basic = await exchange({ grant: 'client_credentials', ...credentials(), scope: 'read' });
    expect(basic).toMatchObject({ tokenType: 'bearer', expiresIn: 3600, refreshToken: null, scope: 'read' });
    expect(basic.accessToken).toMatch(/^[0-9a-f]{32}$/);
    await exchange({ grant: 'client_credentials', ...credentials(), clientAuth: 'client_secret_post' });
    expect(servers.seen.tokenRequests.slice(-2).map((request) => request.via)).toEqual(['basic', 'post']);
  });

  it('exchanges an authorization code with PKCE, then refreshes', async () => {
    const redirectUri = 'http://127.0.0.1/v1/oauth/callback';
    const { url, codeVerifier } = await authorizationRequest({
      authorizeUrl: `http://127.0.0.1:${servers.oauthPort}/authorize`,
      clientId: CLIENT.id,
      redirectUri,
      state: 'state-1',
      scope: 'read',
    });
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
    const approved = await fetch(url, { redirect: 'manual' });
    const back = new URL(approved.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('state-1');
    const code = back.searchParams.get('code') ?? '';

    const token = await exchange({
      grant: 'authorization_code',
      ...credentials(),
      code,
      redirectUri,
      codeVerifier,
    });
    expect(token.refreshToken).toMatch(/^[0-9a-f]{32}$/);
    const refreshed = await exchange({
      grant: 'refresh_token',
      ...credentials(),
      refreshToken: token.refreshToken ?? '',
    });
    expect(refreshed.accessToken).not.toBe(token.accessToken);
    // A refresh token is used once: the second use is refused with a message that says what to do.
    const reused = await failure(
      exchange({ grant: 'refresh_token', ...credentials(), refreshToken: token.refreshToken ?? '' }),
    );
    expect(reused).toMatchObject({
      code: 'oauth_error',
      message: expect.stringMatching(/invalid_grant.*connect again/),
    });
  });

  it('names a refused client, an unreachable endpoint and a page that is no token endpoint', async () => {
    const wrong = await failure(
      exchange({ grant: 'client_credentials', ...credentials(), clientSecret: 'nope' }),
    );
    expect(wrong).toMatchObject({
      code: 'auth_failed',
      message: expect.stringMatching(/client ID and secret/),
    });
    const refused = await failure(
      exchange({ grant: 'client_credentials', ...credentials(), tokenUrl: 'http://127.0.0.1:1/token' }),
    );
    expect(refused.code).toBe('connection_refused');
    const notFound = await failure(
      exchange({
        grant: 'client_credentials',
        ...credentials(),
        tokenUrl: `http://127.0.0.1:${servers.httpPort}/x`,
      }),
    );
    expect(notFound.code).toBe('oauth_error');
  });

  it('goes through checkTarget, so the caller can refuse the token endpoint', async () => {
    const seen: string[] = [];
    await exchange(
      { grant: 'client_credentials', ...credentials() },
      { checkTarget: (target) => void seen.push(`${target.host}:${target.port}`) },
    );
    expect(seen).toEqual([`127.0.0.1:${servers.oauthPort}`]);
    const refused = exchange(
      { grant: 'client_credentials', ...credentials() },
      {
        checkTarget: () => {
          throw new ExecutorError('ssrf_blocked', 'private');
        },
      },
    );
    expect((await failure(refused)).code).toBe('ssrf_blocked');
  });

  it('refuses input without what its grant needs', () => {
    expect(() => parseInput(oauthTokenExecutor, { grant: 'authorization_code', ...credentials() })).toThrow(
      /invalid input/,
    );
    expect(() =>
      parseInput(oauthTokenExecutor, {
        grant: 'client_credentials',
        ...credentials(),
        tokenUrl: 'file:///x',
      }),
    ).toThrow(/invalid input/);
  });
});
