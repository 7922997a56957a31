import websocket from '@fastify/websocket';
import { MAX_FRAME_BYTES } from '@outpost/protocol/agent/frames';
import { digestToken } from '@outpost/protocol/tokens';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../errors.ts';
import { verifyAgentToken } from '../agents/service.ts';
import { AttemptLimiter } from './attempt-limiter.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the hub's pre-upgrade check. */
    agent?: { id: string; tokenDigest: string };
  }
}

/**
 * `GET /v1/agent/connect`: the token is checked before the upgrade completes, so a missing,
 * malformed, unknown or revoked token gets 401 and never a socket.
 */
export async function hubRoutes(app: FastifyInstance) {
  await app.register(websocket, {
    options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: true },
    preClose: async function closeAgentSockets(this: FastifyInstance) {
      app.hub.closeAll();
      await new Promise<void>((resolve) => this.websocketServer.close(() => resolve()));
    },
  });
  const perAddress = new AttemptLimiter(60, 60_000);
  const perToken = new AttemptLimiter(30, 60_000);

  async function authenticateAgent(request: FastifyRequest) {
    if (!perAddress.attempt(request.ip))
      throw new AppError('rate_limited', 'Too many connection attempts from this address');
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token)
      throw new AppError('unauthenticated', 'Send the agent token as "Authorization: Bearer opa_…"');
    if (!perToken.attempt(digestToken(token)))
      throw new AppError('rate_limited', 'Too many connection attempts with this token');
    const agent = await verifyAgentToken(app.db, token);
    if (!agent) throw new AppError('unauthenticated', 'Invalid agent token');
    request.agent = { id: agent.id, tokenDigest: agent.tokenDigest };
  }

  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'GET',
    url: '/v1/agent/connect',
    schema: {
      tags: ['Agents'],
      summary: 'The agent WebSocket (Authorization: Bearer opa_…); see PROTOCOL.md',
      hide: false,
    },
    config: { access: 'public' },
    preValidation: authenticateAgent,
    handler: async () => {
      throw new AppError('upgrade_required', 'Connect with a WebSocket upgrade');
    },
    wsHandler: (socket, request) => {
      if (!request.agent) return socket.close(1011, 'not authenticated');
      app.hub.attach(socket, request.agent, request.ip);
    },
  });
}
