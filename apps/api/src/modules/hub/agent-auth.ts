import type { Database } from '@outpost/db/client';
import { digestToken } from '@outpost/protocol/tokens';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { verifyAgentToken } from '../agents/service.ts';
import { AttemptLimiter } from './attempt-limiter.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticateAgent` on the routes an agent calls with its token. */
    agent?: { id: string; tokenDigest: string };
  }
}

/**
 * The check in front of every route an agent calls (`Authorization: Bearer opa_…`): attempts are
 * limited per address and per token, so that tokens cannot be guessed, before the token is looked
 * up. Each route gets its own counts; `attempts` names them in the 429 message.
 */
export function agentAuthenticator(db: Database, attempts = 'attempts') {
  const perAddress = new AttemptLimiter(60, 60_000);
  const perToken = new AttemptLimiter(30, 60_000);
  return async function authenticateAgent(request: FastifyRequest): Promise<void> {
    if (!perAddress.attempt(request.ip))
      throw new AppError('rate_limited', `Too many ${attempts} from this address`);
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token)
      throw new AppError('unauthenticated', 'Send the agent token as "Authorization: Bearer opa_…"');
    if (!perToken.attempt(digestToken(token)))
      throw new AppError('rate_limited', `Too many ${attempts} with this token`);
    const agent = await verifyAgentToken(db, token);
    if (!agent) throw new AppError('unauthenticated', 'Invalid agent token');
    request.agent = { id: agent.id, tokenDigest: agent.tokenDigest };
  };
}
