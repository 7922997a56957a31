import { createReadStream } from 'node:fs';
import {
  Agent,
  AgentDownload,
  type AgentEvent,
  AgentListQuery,
  AgentPage,
  CreateAgentBody,
  DownloadQuery,
  UpdateAgentBody,
} from '@outpost/protocol/rest/agents';
import { IdParams, TokenResponse } from '@outpost/protocol/rest/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createAgent,
  deleteAgent,
  generateAgentToken,
  getAgent,
  listAgents,
  showAgentToken,
  toAgentView,
  updateAgent,
} from './service.ts';

const tags = ['Agents'];
const AGENT_OSES = ['windows', 'macos', 'linux'] as const;
/** Event stream bytes a client may leave unread (beyond the socket's buffers) before it is cut. */
export const MAX_UNREAD_EVENT_BYTES = 256 * 1024;

export async function agentRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();
  const deps = { db: app.db, secrets: app.secrets, events: app.agentEvents };
  /** Closers of the open event streams: a shutdown ends them, so that it need not wait. */
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of openStreams) close();
  });

  router.get(
    '/v1/agents',
    {
      schema: {
        tags,
        summary: 'List the agents of this environment, by name',
        querystring: AgentListQuery,
        response: { 200: AgentPage },
      },
      config: { access: 'read' },
    },
    async (request) => listAgents(app.db, request.context.environment.scopeId, request.query),
  );

  router.post(
    '/v1/agents',
    {
      schema: {
        tags,
        summary: 'Create an agent; its token is generated at once',
        body: CreateAgentBody,
        response: { 201: Agent },
      },
      config: { access: 'manage' },
    },
    async (request, reply) =>
      reply.status(201).send(toAgentView(await createAgent(deps, request.context, request.body, request))),
  );

  router.get(
    '/v1/agents/:id',
    {
      schema: { tags, summary: 'One agent', params: IdParams, response: { 200: Agent } },
      config: { access: 'read' },
    },
    async (request) =>
      toAgentView(await getAgent(app.db, request.context.environment.scopeId, request.params.id)),
  );

  router.patch(
    '/v1/agents/:id',
    {
      schema: {
        tags,
        summary: 'Rename, describe, or turn auto-upgrade on or off',
        params: IdParams,
        body: UpdateAgentBody,
        response: { 200: Agent },
      },
      config: { access: 'manage' },
    },
    async (request) =>
      toAgentView(await updateAgent(deps, request.context, request.params.id, request.body, request)),
  );

  router.delete(
    '/v1/agents/:id',
    {
      schema: {
        tags,
        summary: 'Delete an agent; its token stops working and its session closes',
        params: IdParams,
        response: { 204: z.null() },
      },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      await deleteAgent(deps, request.context, request.params.id, request);
      return reply.status(204).send(null);
    },
  );

  router.get(
    '/v1/agents/:id/token',
    {
      schema: {
        tags,
        summary: 'Show token (audited; not for MONITOR)',
        params: IdParams,
        response: { 200: TokenResponse },
      },
      config: { access: 'tokens' },
    },
    async (request) => ({ token: await showAgentToken(deps, request.context, request.params.id, request) }),
  );

  router.post(
    '/v1/agents/:id/token',
    {
      schema: {
        tags,
        summary: 'Generate token: a new token; the old one stops working at once',
        params: IdParams,
        response: { 200: TokenResponse },
      },
      config: { access: 'tokens' },
    },
    async (request) => ({
      token: await generateAgentToken(deps, request.context, request.params.id, request),
    }),
  );

  router.get(
    '/v1/agent-downloads',
    {
      schema: {
        tags,
        summary: 'The install archives of the current agent version, with their SHA-256',
        response: { 200: z.object({ items: z.array(AgentDownload) }) },
      },
      config: { access: 'read' },
    },
    async () => {
      const items = await Promise.all(AGENT_OSES.map((os) => app.agentDownloads.get(os)));
      return {
        items: items.map(({ os, fileName, version, sizeBytes, sha256 }) => ({
          os,
          fileName,
          version,
          sizeBytes,
          sha256,
        })),
      };
    },
  );

  router.get(
    '/v1/agents/:id/download',
    {
      schema: {
        tags,
        summary:
          'Install → Download: the agent for an OS (zip for Windows, tar.gz otherwise); holds no token',
        params: IdParams,
        querystring: DownloadQuery,
      },
      config: { access: 'read' },
    },
    async (request, reply) => {
      await getAgent(app.db, request.context.environment.scopeId, request.params.id);
      const download = await app.agentDownloads.get(request.query.os);
      return reply
        .header('content-type', download.contentType)
        .header('content-length', download.sizeBytes)
        .header('content-disposition', `attachment; filename="${download.fileName}"`)
        .header('x-checksum-sha256', download.sha256)
        .send(createReadStream(download.file));
    },
  );

  router.get(
    '/v1/agents/events',
    {
      schema: {
        tags,
        summary:
          "Live changes to this environment's agents, as server-sent events (agent.upserted, agent.deleted)",
      },
      config: { access: 'read' },
    },
    async (request, reply) => {
      const { scopeId } = request.context.environment;
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      // A reader that does not keep up is cut rather than buffered for without end: the page
      // reconnects and reloads what it shows (events are not replayed anyway).
      const write = (text: string) => {
        if (stream.destroyed) return;
        if (stream.writableLength > MAX_UNREAD_EVENT_BYTES) {
          request.log.warn({ unreadBytes: stream.writableLength }, 'agent event stream not read; closed');
          stream.destroy();
          return;
        }
        stream.write(text);
      };
      write('retry: 3000\n\n');
      const send = (event: AgentEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      const unsubscribe = app.agentEvents.onChange(scopeId, (change) => {
        if (change.type === 'deleted') return send({ type: 'agent.deleted', agentId: change.agentId });
        app.db.agent
          .findFirst({ where: { id: change.agentId, scopeId } })
          .then((agent) => agent && send({ type: 'agent.upserted', agent: toAgentView(agent) }))
          .catch((error) => request.log.warn({ err: error }, 'could not send an agent update'));
      });
      const keepAlive = setInterval(() => write(': keep-alive\n\n'), 15_000);
      const close = () => {
        clearInterval(keepAlive);
        unsubscribe();
        openStreams.delete(close);
        stream.end();
      };
      openStreams.add(close);
      stream.once('close', close);
    },
  );
}
