import { LoginBody, Me, SignupBody, SwitchAccountBody } from '@outpost/protocol/rest/accounts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { recordAuditEvent } from '../audit/service.ts';
import { getMe, logIn, signUp } from './service.ts';
import { createSession, revokeSession, SESSION_COOKIE } from './sessions.ts';

const tags = ['Auth'];

export async function authRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();
  const secureCookies = app.config.publicUrl.startsWith('https:');

  async function startSession(
    request: FastifyRequest,
    reply: FastifyReply,
    userId: string,
    accountId: string,
  ) {
    const { cookie, expiresAt } = await createSession(app.db, {
      userId,
      accountId,
      ipAddress: request.ip,
      userAgent: request.headers['user-agent']?.slice(0, 300),
    });
    reply.setCookie(SESSION_COOKIE, cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      path: '/',
      expires: expiresAt,
    });
  }

  router.post(
    '/v1/auth/signup',
    {
      schema: {
        tags,
        summary: 'Sign up: a new user and account, signed in',
        body: SignupBody,
        response: { 201: Me },
      },
      config: { access: 'public', rateLimit: { max: app.config.authRateLimit, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { user, account } = await signUp(app.db, request.body);
      await startSession(request, reply, user.id, account.id);
      await recordAuditEvent(app.db, {
        accountId: account.id,
        action: 'auth.signed_up',
        actor: { type: 'user', id: user.id, label: user.email },
        metadata: { license: account.license },
        request,
      });
      return reply.status(201).send(await getMe(app.db, user.id, account.id));
    },
  );

  router.post(
    '/v1/auth/login',
    {
      schema: { tags, summary: 'Sign in', body: LoginBody, response: { 200: Me } },
      config: {
        access: 'public',
        rateLimit: {
          max: app.config.authRateLimit,
          timeWindow: '1 minute',
          hook: 'preHandler', // after the body is parsed, so the e-mail is known
          // Per address and e-mail: guessing one person's password is slow, and other people on
          // the same network can still sign in.
          keyGenerator: (request) =>
            `${request.ip}:${String((request.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase()}`,
        },
      },
    },
    async (request, reply) => {
      // Before the password is checked: a throttled guess learns nothing, right or wrong.
      await app.authFailures.refuseThrottledEmail(request.body.email);
      let result: Awaited<ReturnType<typeof logIn>>;
      try {
        result = await logIn(app.db, request.body);
      } catch (error) {
        if (error instanceof AppError && error.code === 'invalid_credentials')
          await recordFailedSignIn(request.body.email, request);
        throw error;
      }
      await startSession(request, reply, result.user.id, result.accountId);
      await recordAuditEvent(app.db, {
        accountId: result.accountId,
        action: 'auth.signed_in',
        actor: { type: 'user', id: result.user.id, label: result.user.email },
        request,
      });
      return getMe(app.db, result.user.id, result.accountId);
    },
  );

  /**
   * Counts the failure per e-mail (AuthFailures) and audits it in every account of the user, if the e-mail is
   * a user's; the failure that uses up the e-mail's attempts is audited as `auth.sign_in_throttled`.
   */
  async function recordFailedSignIn(email: string, request: FastifyRequest) {
    const { throttled: emailThrottled } = await app.authFailures.recordFailedSignIn(email);
    const user = await app.db.user.findUnique({ where: { email }, include: { memberships: true } });
    if (emailThrottled)
      request.log.warn({ event: 'auth.sign_in_throttled', ip: request.ip }, 'sign-in throttled');
    for (const membership of user?.memberships ?? []) {
      const actor = { type: 'user' as const, id: user?.id ?? null, label: email };
      await recordAuditEvent(app.db, {
        accountId: membership.accountId,
        action: 'auth.sign_in_failed',
        actor,
        request,
      });
      if (emailThrottled)
        await recordAuditEvent(app.db, {
          accountId: membership.accountId,
          action: 'auth.sign_in_throttled',
          actor,
          metadata: app.authFailures.emailPolicy,
          request,
        });
    }
  }

  router.post(
    '/v1/auth/logout',
    {
      schema: { tags, summary: 'Sign out: revokes this session', response: { 204: z.null() } },
      config: { access: 'read' },
    },
    async (request, reply) => {
      const { actor, account } = request.context;
      if (actor.type !== 'user')
        throw new AppError('bad_request', 'API tokens have no session to sign out of');
      await revokeSession(app.db, actor.sessionId);
      await recordAuditEvent(app.db, { accountId: account.id, action: 'auth.signed_out', actor, request });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  router.get(
    '/v1/me',
    {
      schema: {
        tags,
        summary: 'The signed-in user, their account, role and environments',
        response: { 200: Me },
      },
      config: { access: 'read' },
    },
    async (request) => {
      const { actor, account } = request.context;
      if (actor.type !== 'user')
        throw new AppError('bad_request', '/v1/me describes a signed-in person; API tokens have none');
      return getMe(app.db, actor.id, account.id);
    },
  );

  router.post(
    '/v1/me/account',
    {
      schema: {
        tags,
        summary: 'Switch to another account this user is a member of',
        body: SwitchAccountBody,
        response: { 200: Me },
      },
      config: { access: 'read' },
    },
    async (request, reply) => {
      const { actor } = request.context;
      if (actor.type !== 'user') throw new AppError('bad_request', 'API tokens belong to one account');
      const membership = await app.db.membership.findUnique({
        where: { accountId_userId: { accountId: request.body.accountId, userId: actor.id } },
      });
      if (!membership) throw new AppError('not_found', 'Account not found');
      await revokeSession(app.db, actor.sessionId);
      await startSession(request, reply, actor.id, membership.accountId);
      return getMe(app.db, actor.id, membership.accountId);
    },
  );
}
