import { z } from 'zod';
import { listOf } from './common.ts';

/** What the legacy → multi-environment migration handles, in the order a report lists them. */
export const MIGRATION_RESOURCE_TYPES = [
  'agent',
  'api_token',
  'connection',
  'export',
  'import',
  'script',
  'flow',
] as const;
export const MigrationResourceType = z.enum(MIGRATION_RESOURCE_TYPES);
export type MigrationResourceType = z.infer<typeof MigrationResourceType>;

/**
 * - `kept`: the resource stays in Production with its id, token and state (agents stay connected,
 *   runs keep running).
 * - `copied`: Sandbox has a copy whose references point at Sandbox's copies.
 * - `copied_new_token`: agents and API tokens are credentials: the Sandbox copy has a new token.
 * - `copied_disabled`: a scheduled flow's Sandbox copy is turned off until someone turns it on.
 */
export const MigrationOutcome = z.enum(['kept', 'copied', 'copied_new_token', 'copied_disabled']);
export type MigrationOutcome = z.infer<typeof MigrationOutcome>;

/** One resource in one environment after the migration. Never holds a token or a secret. */
export const MigrationItem = z.object({
  type: MigrationResourceType,
  name: z.string(),
  environment: z.enum(['production', 'sandbox']),
  outcome: MigrationOutcome,
  /** The resource (Production) or its copy (Sandbox); null for a copy in a preview. */
  id: z.uuid().nullable(),
  /** A Sandbox copy: the Production resource it was copied from. */
  sourceId: z.uuid().nullable(),
  /** What is left to do, in words; null when nothing. */
  action: z.string().nullable(),
  /** What changed that needs no action. */
  note: z.string().nullable(),
});
export type MigrationItem = z.infer<typeof MigrationItem>;

/** What a migration does (preview) or did (report). */
export const MigrationPlan = z.object({
  items: z.array(MigrationItem),
  /** Statements about the whole account ("Flow runs stay with Production"). */
  notes: z.array(z.string()),
});
export type MigrationPlan = z.infer<typeof MigrationPlan>;

export const MigrationPreview = MigrationPlan.extend({
  account: z.object({ id: z.uuid(), name: z.string() }),
});
export type MigrationPreview = z.infer<typeof MigrationPreview>;

export const MigrationSummary = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  /** The owner who ran it (null when that user no longer exists). */
  startedBy: z.object({ id: z.uuid(), email: z.string() }).nullable(),
});
export type MigrationSummary = z.infer<typeof MigrationSummary>;

/** The kept report: every resource with its outcome and the action left. */
export const MigrationReport = MigrationSummary.extend(MigrationPlan.shape);
export type MigrationReport = z.infer<typeof MigrationReport>;

export const MigrationList = listOf(MigrationSummary);
export type MigrationList = z.infer<typeof MigrationList>;
