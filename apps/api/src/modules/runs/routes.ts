import { IdParams, PageQuery } from '@outpost/protocol/rest/common';
import {
  FlowRun,
  FlowRunErrorPage,
  FlowRunPage,
  FlowRunSummary,
  RunListQuery,
} from '@outpost/protocol/rest/runs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getFlow } from '../flows/service.ts';
import {
  cancelRun,
  getRun,
  listRunErrors,
  listRuns,
  RUN_LOG_LINES,
  runWithLogs,
  startRun,
  summaryOf,
} from './service.ts';

const tags = ['Runs'];

export async function runRoutes(app: FastifyInstance) {
  const router = app.withTypeProvider<ZodTypeProvider>();

  router.post(
    '/v1/flows/:id/runs',
    {
      schema: {
        tags,
        summary:
          'Run now: queues a run of the flow (202); a disabled flow runs too, `enabled` governs only the schedule. 409 run_in_progress while a run is queued or running',
        params: IdParams,
        response: { 202: FlowRunSummary },
      },
      config: { access: 'manage' },
    },
    async (request, reply) => {
      const run = await startRun(app.db, request.context, request.params.id, request);
      app.flowRunner.wake();
      return reply.status(202).send(summaryOf(run));
    },
  );

  router.get(
    '/v1/flows/:id/runs',
    {
      schema: {
        tags,
        summary: "The flow's runs, newest first; pass `nextCursor` as `cursor` for the next page",
        params: IdParams,
        querystring: RunListQuery,
        response: { 200: FlowRunPage },
      },
      config: { access: 'read' },
    },
    async (request) => {
      const { scopeId } = request.context.environment;
      const flow = await getFlow(app.db, scopeId, request.params.id);
      return listRuns(app.db, scopeId, request.query, flow.id);
    },
  );

  router.get(
    '/v1/runs',
    {
      schema: {
        tags,
        summary:
          "This environment's runs of every flow, newest first, optionally of one status; pass `nextCursor` as `cursor` for the next page",
        querystring: RunListQuery,
        response: { 200: FlowRunPage },
      },
      config: { access: 'read' },
    },
    async (request) => listRuns(app.db, request.context.environment.scopeId, request.query),
  );

  router.get(
    '/v1/runs/:id',
    {
      schema: {
        tags,
        summary: `One run: counts, timings, whether a cancel was asked, and the last ${RUN_LOG_LINES} lines of its log, oldest first`,
        params: IdParams,
        response: { 200: FlowRun },
      },
      config: { access: 'read' },
    },
    async (request) =>
      runWithLogs(app.db, await getRun(app.db, request.context.environment.scopeId, request.params.id)),
  );

  router.get(
    '/v1/runs/:id/errors',
    {
      schema: {
        tags,
        summary:
          "The run's failed records, oldest first, each with where and why it failed and the record as it was at that step",
        params: IdParams,
        querystring: PageQuery,
        response: { 200: FlowRunErrorPage },
      },
      config: { access: 'read' },
    },
    async (request) => {
      const run = await getRun(app.db, request.context.environment.scopeId, request.params.id);
      return listRunErrors(app.db, run.id, request.query);
    },
  );

  router.post(
    '/v1/runs/:id/cancel',
    {
      schema: {
        tags,
        summary:
          'Cancel a run: a queued one is cancelled at once, a running one stops after the step in flight; 409 run_finished when it has ended',
        params: IdParams,
        response: { 200: FlowRunSummary },
      },
      config: { access: 'manage' },
    },
    async (request) => {
      const run = await getRun(app.db, request.context.environment.scopeId, request.params.id);
      const cancelled = await cancelRun(app.db, request.context, run, request);
      if (cancelled.stopRunning) app.flowRunner.cancel(run.id);
      return summaryOf(cancelled.run);
    },
  );
}
