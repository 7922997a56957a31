import websocket from '@fastify/websocket';
import { MAX_FRAME_BYTES } from '@outpost/protocol/agent/frames';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../errors.ts';
import { agentAuthenticator } from './agent-auth.ts';

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
  const authenticateAgent = agentAuthenticator(app.db, 'connection attempts');

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
