import type { Database } from '@outpost/db/client';

/** A run this instance just took: the row as it is now, and what it was before. */
export interface ClaimedRun {
  id: string;
  flowId: string;
  trigger: 'MANUAL' | 'SCHEDULE';
  triggeredBy: string | null;
  pagesDone: number;
  cursor: unknown;
  recordsRead: number;
  recordsWritten: number;
  recordsFailed: number;
  startedAt: Date;
  cancelRequestedAt: Date | null;
  /** QUEUED: a new run; RUNNING: picked up from an instance that stopped or went silent. */
  previousStatus: 'QUEUED' | 'RUNNING';
  previousClaimedBy: string | null;
}

/**
 * Takes the oldest run waiting for an instance: QUEUED, or RUNNING without a heartbeat for
 * `staleAfterMs` (its instance died) or released (its instance stopped). One statement with
 * FOR UPDATE SKIP LOCKED: two instances never take the same run. Runs this instance is running
 * (`busy`) are left alone.
 */
export async function claimRun(
  db: Database,
  instanceId: string,
  staleAfterMs: number,
  busy: string[],
): Promise<ClaimedRun | null> {
  const rows = await db.$queryRaw<ClaimedRun[]>`
    UPDATE "FlowRun" AS run
       SET status = 'RUNNING',
           "claimedBy" = ${instanceId},
           "heartbeatAt" = now(),
           "startedAt" = coalesce(run."startedAt", now())
      FROM (
        SELECT id, status::text AS "previousStatus", "claimedBy" AS "previousClaimedBy"
          FROM "FlowRun"
         WHERE (status = 'QUEUED'
                OR (status = 'RUNNING'
                    AND ("heartbeatAt" IS NULL
                         OR "heartbeatAt" < now() - make_interval(secs => ${staleAfterMs / 1000}::float8))))
           AND NOT (id = ANY(${busy}::uuid[]))
         ORDER BY "createdAt"
         LIMIT 1
         FOR UPDATE SKIP LOCKED
      ) AS claimed
     WHERE run.id = claimed.id
    RETURNING run.id, run."flowId", run.trigger::text AS trigger, run."triggeredBy", run."pagesDone",
              run.cursor, run."recordsRead", run."recordsWritten", run."recordsFailed", run."startedAt",
              run."cancelRequestedAt", claimed."previousStatus", claimed."previousClaimedBy"`;
  return rows[0] ?? null;
}

/**
 * The heartbeat of this instance's runs; answers, for each run still this instance's, whether
 * someone asked to cancel it. A run missing from the answer is no longer this instance's.
 */
export async function beat(
  db: Database,
  instanceId: string,
  runIds: string[],
): Promise<{ id: string; cancelRequested: boolean }[]> {
  if (runIds.length === 0) return [];
  return db.$queryRaw<{ id: string; cancelRequested: boolean }[]>`
    UPDATE "FlowRun"
       SET "heartbeatAt" = now()
     WHERE id = ANY(${runIds}::uuid[]) AND "claimedBy" = ${instanceId} AND status = 'RUNNING'
    RETURNING id, "cancelRequestedAt" IS NOT NULL AS "cancelRequested"`;
}
