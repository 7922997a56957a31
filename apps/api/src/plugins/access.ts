import { ENVIRONMENT_HEADER } from '@outpost/protocol/rest/environments';
import { canAdministerAccount, canManageResources, canSeeTokens, type Role } from '@outpost/protocol/roles';
import { isWellFormedToken } from '@outpost/protocol/tokens';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Access, RequestContext } from '../context.ts';
import { AppError, forbidden } from '../errors.ts';
import { findApiTokenByToken, touchApiToken } from '../modules/api-tokens/service.ts';
import { AuthFailures } from '../modules/auth/failures.ts';
import { findSessionByCookie, SESSION_COOKIE, touchSession } from '../modules/auth/sessions.ts';
import { findEnvironmentBySlug } from '../modules/environments/service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Failed log-ins and API token authentications, counted to throttle guessing. */
    authFailures: AuthFailures;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** Set for every route whose access is not `public`. */
    context: RequestContext;
  }
}

/** Header that a cookie-authenticated state-changing request must carry (see README → Security). */
export const CLIENT_HEADER = 'x-outpost-client';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const allowed: Record<Exclude<Access, 'public'>, (role: Role) => boolean> = {
  read: () => true,
  manage: canManageResources,
  tokens: canSeeTokens,
  admin: canAdministerAccount,
  owner: (role) => role === 'OWNER',
};

/**
 * Authenticates every `/v1` request, resolves its environment and scope once, and checks the
 * route's declared access. Cookie requests that change state must also carry `x-outpost-client`,
 * which a page on another origin cannot send without a CORS pre-flight that the API never grants.
 */
export const accessPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('context', null as unknown as RequestContext);
    app.decorate('authFailures', new AuthFailures(app));

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1/') || route.config?.access) return;
      if (route.method === 'HEAD') return;
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access level`);
    });

    // Before validation, so that a caller without access learns nothing about a route's schema.
    app.addHook('preValidation', async (request) => {
      const access = request.routeOptions.config.access;
      if (!access) return;
      if (access !== 'public' && request.headers.authorization) {
        request.context = await authenticateProgram(app, request);
      } else {
        const bearer = bearerToken(request);
        if (!bearer && !SAFE_METHODS.has(request.method) && !request.headers[CLIENT_HEADER]) {
          throw new AppError(
            'csrf_failed',
            `State-changing requests from a browser must send the ${CLIENT_HEADER} header`,
          );
        }
        if (access === 'public') return;
        request.context = await resolveSession(app, request);
      }
      if (!allowed[access](request.context.role)) throw forbidden();
    });
  },
  { name: 'access' },
);

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new AppError('unauthenticated', 'Authorization must be "Bearer <API token>"');
  return match[1];
}

/**
 * A request with an `Authorization` header. Refused ones count against the client's address
 * (AuthFailures); a refused token matches no token of any account, so there is no account to audit
 * it in: it is logged, without the token.
 */
async function authenticateProgram(app: FastifyInstance, request: FastifyRequest): Promise<RequestContext> {
  await app.authFailures.refuseThrottledAddress(request);
  try {
    const bearer = bearerToken(request);
    if (!bearer) throw new AppError('unauthenticated', 'Invalid API token');
    return await resolveApiToken(app, request, bearer);
  } catch (error) {
    if (error instanceof AppError && error.code === 'unauthenticated') {
      await app.authFailures.recordRefusedToken(request);
      request.log.warn({ event: 'auth.token_rejected', ip: request.ip }, 'API token refused');
    }
    throw error;
  }
}

async function resolveApiToken(
  app: FastifyInstance,
  request: FastifyRequest,
  token: string,
): Promise<RequestContext> {
  // Format and checksum first: garbage never reaches the database.
  if (!isWellFormedToken(token, 'apiToken')) throw new AppError('unauthenticated', 'Invalid API token');
  const apiToken = await findApiTokenByToken(app.db, token);
  if (!apiToken) throw new AppError('unauthenticated', 'Invalid API token');
  const requested = request.headers[ENVIRONMENT_HEADER];
  if (typeof requested === 'string' && requested !== apiToken.environment.slug) {
    throw new AppError(
      'forbidden',
      `This API token acts only in the environment "${apiToken.environment.slug}"`,
    );
  }
  touchApiToken(app.db, apiToken.id, apiToken.lastUsedAt).catch((error) =>
    request.log.warn({ err: error }, 'could not record API token use'),
  );
  return {
    actor: { type: 'api_token', id: apiToken.id, label: apiToken.name },
    account: apiToken.account,
    role: apiToken.role,
    environment: apiToken.environment,
  };
}

async function resolveSession(app: FastifyInstance, request: FastifyRequest): Promise<RequestContext> {
  const cookie = request.cookies[SESSION_COOKIE];
  const session = cookie ? await findSessionByCookie(app.db, cookie) : null;
  if (!session) throw new AppError('unauthenticated', 'Sign in to continue');
  touchSession(app.db, session).catch((error) =>
    request.log.warn({ err: error }, 'could not record session use'),
  );
  const requested = request.headers[ENVIRONMENT_HEADER];
  const slug = typeof requested === 'string' && requested ? requested : 'production';
  const environment = await findEnvironmentBySlug(app.db, session.account.id, slug);
  if (!environment) throw new AppError('unknown_environment', `No environment "${slug}" in this account`);
  return {
    actor: { type: 'user', id: session.user.id, label: session.user.email, sessionId: session.id },
    account: { id: session.account.id, license: session.account.license },
    role: session.role,
    environment,
  };
}
