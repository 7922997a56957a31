import { IdParams } from '@outpost/protocol/rest/common';
import { CreateFlowBody, Flow, FlowList, UpdateFlowBody } from '@outpost/protocol/rest/flows';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createFlow, deleteFlow, getFlow, listFlows, toFlowView, updateFlow } from './service.ts';

const tags = ['Flows'];

export async function flowRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.get(
    '/v1/flows',
    {
      schema: {
        tags,
        summary: 'List the flows of this environment, by name, each with its last run',
        response: { 200: FlowList },
      },
      config: { access: 'read' },
    },
    async (request) => ({ items: await listFlows(app.db, request.context.environment.scopeId) }),
  );

  router.post(
    '/v1/flows',
    {
      schema: {
        tags,
        summary:
          'Create a flow: an export, scripts in order, one or more imports, all of this environment (422 invalid_reference naming the field otherwise); an optional five-field cron schedule in an IANA time zone (422 invalid_schedule)',
        body: CreateFlowBody,
        response: { 201: Flow },
      },
      config: { access: 'manage' },
    },
    async (request, reply) =>
      reply.status(201).send(toFlowView(await createFlow(app.db, request.context, request.body, request))),
  );

  router.get(
    '/v1/flows/:id',
    {
      schema: {
        tags,
        summary: 'One flow, with its steps, its next scheduled run and its last run',
        params: IdParams,
        response: { 200: Flow },
      },
      config: { access: 'read' },
    },
    async (request) =>
      toFlowView(await getFlow(app.db, request.context.environment.scopeId, request.params.id)),
  );

  router.patch(
    '/v1/flows/:id',
    {
      schema: {
        tags,
        summary:
          'Change a flow; scriptIds and importIds given replace the steps whole. `enabled` governs only the schedule',
        params: IdParams,
        body: UpdateFlowBody,
        response: { 200: Flow },
      },
      config: { access: 'manage' },
    },
    async (request) =>
      toFlowView(await updateFlow(app.db, request.context, request.params.id, request.body, request)),
  );

  router.delete(
    '/v1/flows/:id',
    {
      schema: {
        tags,
        summary:
          'Delete a flow and its runs; refused (409 run_in_progress) while a run is queued or running: cancel it first',
        params: IdParams,
        response: { 204: z.null() },
      },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      await deleteFlow(app.db, request.context, request.params.id, request);
      return reply.status(204).send(null);
    },
  );
}
