import { z } from 'zod';
import { pageOf } from './common.ts';
import { FlowRunStatus, FlowRunSummary } from './flows.ts';

export { FlowRunStatus, FlowRunSummary };

/** `GET /v1/runs` and `GET /v1/flows/:id/runs`: newest first. */
export const RunListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  status: FlowRunStatus.optional(),
});
export type RunListQuery = z.infer<typeof RunListQuery>;

export const FlowRunPage = pageOf(FlowRunSummary);
export type FlowRunPage = z.infer<typeof FlowRunPage>;

export const FlowRunLogLine = z.object({
  at: z.iso.datetime(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
});
export type FlowRunLogLine = z.infer<typeof FlowRunLogLine>;

/** `GET /v1/runs/:id`: the summary, its log (the last 500 lines) and how many records failed where. */
export const FlowRun = FlowRunSummary.extend({
  cancelRequested: z.boolean(),
  logs: z.array(FlowRunLogLine),
});
export type FlowRun = z.infer<typeof FlowRun>;

/** A record that failed: where (page, index, stage, step), why, and the record at that step. */
export const FlowRunRecordError = z.object({
  id: z.uuid(),
  page: z.number().int(),
  index: z.number().int(),
  stage: z.enum(['export', 'script', 'import']),
  step: z.string(),
  message: z.string(),
  record: z.unknown(),
  createdAt: z.iso.datetime(),
});
export type FlowRunRecordError = z.infer<typeof FlowRunRecordError>;

/** `GET /v1/runs/:id/errors`: oldest first. */
export const FlowRunErrorPage = pageOf(FlowRunRecordError);
export type FlowRunErrorPage = z.infer<typeof FlowRunErrorPage>;
