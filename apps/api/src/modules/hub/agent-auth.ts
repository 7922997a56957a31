import { digestToken } from '@outpost/protocol/tokens';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, tooManyAttempts } from '../../errors.ts';
import { verifyAgentToken } from '../agents/service.ts';
import { type AttemptLimiter, LocalAttemptLimiter } from './attempt-limiter.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticateAgent` on the routes an agent calls with its token. */
    agent?: { id: string; tokenDigest: string };
  }
}

/**
 * The check in front of every route an agent calls (`Authorization: Bearer opa_…`): attempts are
 * limited per address and per token, so that tokens cannot be guessed, before the token is looked
 * up. Each route gets its own counts (shared by every instance with scale-out); `attempts` names
 * them in the 429 message.
 */
export function agentAuthenticator(app: FastifyInstance, attempts = 'attempts') {
  const limiter = (name: string, limit: number): AttemptLimiter =>
    app.scale
      ? app.scale.limiter(`${attempts}:${name}`.replace(/\s+/g, '-'), limit, 60_000)
      : new LocalAttemptLimiter(limit, 60_000);
  const perAddress = limiter('address', 60);
  const perToken = limiter('token', 30);
  return async function authenticateAgent(request: FastifyRequest): Promise<void> {
    if (!(await perAddress.attempt(request.ip)))
      throw tooManyAttempts(
        `Too many ${attempts} from this address`,
        await perAddress.retryAfterMs(request.ip),
      );
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token)
      throw new AppError('unauthenticated', 'Send the agent token as "Authorization: Bearer opa_…"');
    const digest = digestToken(token);
    if (!(await perToken.attempt(digest)))
      throw tooManyAttempts(`Too many ${attempts} with this token`, await perToken.retryAfterMs(digest));
    const agent = await verifyAgentToken(app.db, token);
    if (!agent) {
      // No agent has this token, so no account to audit it in: the log holds it (never the token).
      request.log.warn({ event: 'agent.token_rejected', ip: request.ip }, 'agent token refused');
      throw new AppError('unauthenticated', 'Invalid agent token');
    }
    request.agent = { id: agent.id, tokenDigest: agent.tokenDigest };
  };
}
