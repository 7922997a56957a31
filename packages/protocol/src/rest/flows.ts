import { z } from 'zod';
import { ResourceName } from './common.ts';
import { Description, ResourceRef } from './integration-common.ts';
import { ScriptKind } from './scripts.ts';

/** A five-field cron expression (every 15 minutes: `0,15,30,45 * * * *`); the API checks it and names the error. */
export const CronSchedule = z.string().trim().min(1).max(200);

const FlowFields = {
  name: ResourceName,
  description: Description,
  enabled: z.boolean(),
  /** `null`: the flow runs only when started (Run now, or the API). */
  schedule: CronSchedule.nullable(),
  /** An IANA time zone the schedule is read in. */
  timezone: z.string().min(1).max(100),
  /** Records per page: what moves through scripts and imports at a time. */
  pageSize: z.number().int().min(1).max(5000),
  /** An export of the same environment. */
  exportId: z.uuid(),
  /** Scripts of the same environment, run in this order on every record. */
  scriptIds: z.array(z.uuid()).max(20),
  /** Imports of the same environment; each gets every record that passed the scripts. */
  importIds: z.array(z.uuid()).min(1, 'Pick at least one import').max(10),
};

export const CreateFlowBody = z.object({
  ...FlowFields,
  description: FlowFields.description.default(''),
  enabled: FlowFields.enabled.default(true),
  schedule: FlowFields.schedule.default(null),
  timezone: FlowFields.timezone.default('UTC'),
  pageSize: FlowFields.pageSize.default(500),
  scriptIds: FlowFields.scriptIds.default([]),
});
export type CreateFlowBody = z.infer<typeof CreateFlowBody>;

export const UpdateFlowBody = z.object(FlowFields).partial();
export type UpdateFlowBody = z.infer<typeof UpdateFlowBody>;

export const FlowRunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type FlowRunStatus = z.infer<typeof FlowRunStatus>;

/** A run as listed: what it did and how long it took. */
export const FlowRunSummary = z.object({
  id: z.uuid(),
  flow: ResourceRef,
  status: FlowRunStatus,
  trigger: z.enum(['manual', 'schedule']),
  /** A user's e-mail, an API token's name, or "schedule". */
  triggeredBy: z.string().nullable(),
  counts: z.object({ read: z.number().int(), written: z.number().int(), failed: z.number().int() }),
  pagesDone: z.number().int(),
  /** Why it failed. */
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().nullable(),
});
export type FlowRunSummary = z.infer<typeof FlowRunSummary>;

export const Flow = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  schedule: z.string().nullable(),
  timezone: z.string(),
  pageSize: z.number().int(),
  /** When the schedule queues the next run (null without a schedule, or while disabled). */
  nextRunAt: z.iso.datetime().nullable(),
  export: ResourceRef,
  scripts: z.array(ResourceRef.extend({ kind: ScriptKind })),
  imports: z.array(ResourceRef),
  lastRun: FlowRunSummary.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Flow = z.infer<typeof Flow>;

export const FlowList = z.object({ items: z.array(Flow) });
export type FlowList = z.infer<typeof FlowList>;
