import websocket from '@fastify/websocket';
import { MAX_FRAME_BYTES } from '@outpost/protocol/agent/frames';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { AppError } from '../../errors.ts';
import { LINK_PATH } from '../../scale/link-frames.ts';
import { closeLinks, serveLink } from '../../scale/link-server.ts';
import { agentAuthenticator } from './agent-auth.ts';

/**
 * `GET /v1/agent/connect`: the token is checked before the upgrade completes, so a missing,
 * malformed, unknown or revoked token gets 401 and never a socket. With scale-out, also the link
 * other instances open to reach the agents held here (`/internal/link`, the link secret).
 */
export async function hubRoutes(app: FastifyInstance) {
  /** Links other instances opened to this one. */
  const links = new Set<WebSocket>();
  await app.register(websocket, {
    options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: true },
    preClose: async function closeAgentSockets(this: FastifyInstance) {
      app.hub.closeAll();
      await closeLinks(links);
      for (const client of this.websocketServer.clients) client.close(1001, 'instance shutting down');
      await new Promise<void>((resolve) => this.websocketServer.close(() => resolve()));
    },
  });
  const authenticateAgent = agentAuthenticator(app, 'connection attempts');

  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'GET',
    url: '/v1/agent/connect',
    schema: {
      tags: ['Agents'],
      summary: 'The agent WebSocket (Authorization: Bearer opa_…); see PROTOCOL.md',
      hide: false,
    },
    config: { access: 'public' },
    onRequest: async (_request, reply) => {
      if (!app.hub.draining) return;
      reply.header('retry-after', '1');
      throw new AppError('unavailable', 'This instance is draining; connect to another one');
    },
    preValidation: authenticateAgent,
    handler: async () => {
      throw new AppError('upgrade_required', 'Connect with a WebSocket upgrade');
    },
    wsHandler: (socket, request) => {
      if (!request.agent) return socket.close(1011, 'not authenticated');
      app.hub.attach(socket, request.agent, request.ip);
    },
  });

  const scale = app.scale;
  if (!scale) return;
  app.route({
    method: 'GET',
    url: LINK_PATH,
    schema: { hide: true },
    preValidation: async (request) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!bearer || !scale.acceptsLinkToken(bearer))
        throw new AppError('unauthenticated', 'Not an instance of this deployment');
    },
    handler: async () => {
      throw new AppError('upgrade_required', 'Connect with a WebSocket upgrade');
    },
    wsHandler: (socket) => {
      links.add(socket);
      socket.once('close', () => links.delete(socket));
      serveLink(socket, {
        localSession: (agentId) => app.hub.localSession(agentId),
        log: app.log,
        onRouted: () => app.metrics.requestsRouted.inc({ direction: 'in' }),
      });
    },
  });
}
