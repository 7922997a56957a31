import type { Database } from '@outpost/db/client';
import type { FastifyBaseLogger } from 'fastify';
import { nextRunAt } from '../flows/schedule.ts';

interface DueFlow {
  id: string;
  scopeId: string;
  name: string;
  schedule: string;
  timezone: string;
}

/**
 * Queues a run (trigger SCHEDULE) for every enabled flow whose `nextRunAt` has come, and moves
 * `nextRunAt` to the schedule's next time. A flow whose last run is still queued or running gets
 * no second one: its run's log says the scheduled run was skipped. The flows are locked with
 * SKIP LOCKED, so several instances never queue the same run twice. Returns the runs queued.
 */
export async function queueScheduledRuns(
  db: Database,
  log: FastifyBaseLogger,
  now = new Date(),
): Promise<number> {
  return db.$transaction(async (tx) => {
    const due = await tx.$queryRaw<DueFlow[]>`
      SELECT id, "scopeId", name, schedule, timezone
        FROM "Flow"
       WHERE enabled AND schedule IS NOT NULL AND "nextRunAt" <= ${now}
       ORDER BY "nextRunAt"
       LIMIT 100
         FOR UPDATE SKIP LOCKED`;
    let queued = 0;
    for (const flow of due) {
      const busy = await tx.flowRun.findFirst({
        where: { flowId: flow.id, status: { in: ['QUEUED', 'RUNNING'] } },
        select: { id: true, status: true },
      });
      if (busy) {
        await tx.flowRunLog.create({
          data: {
            runId: busy.id,
            level: 'warn',
            message: `A scheduled run was skipped: this run was still ${busy.status === 'QUEUED' ? 'queued' : 'running'}`,
          },
        });
      } else {
        await tx.flowRun.create({
          data: { scopeId: flow.scopeId, flowId: flow.id, trigger: 'SCHEDULE', triggeredBy: 'schedule' },
        });
        queued += 1;
      }
      let next: Date | null = null;
      try {
        next = nextRunAt(flow.schedule, flow.timezone, now);
      } catch (error) {
        log.warn({ err: error, flowId: flow.id }, `the schedule of flow "${flow.name}" never fires again`);
      }
      // Not through the model: the flow did not change, only when it runs next.
      await tx.$executeRaw`UPDATE "Flow" SET "nextRunAt" = ${next} WHERE id = ${flow.id}::uuid`;
    }
    return queued;
  });
}
