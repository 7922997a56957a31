import { type Database, Prisma } from '@outpost/db/client';
import type { RunCursor } from './cursor.ts';
import { LOST } from './interrupt.ts';
import type { RecordFailure } from './page-records.ts';

export interface PageCounts {
  read: number;
  written: number;
  failed: number;
}

export interface PageCommit {
  runId: string;
  instanceId: string;
  /** 1-based; the run has done `page - 1` pages before it. */
  page: number;
  counts: PageCounts;
  failures: RecordFailure[];
  /** Where the export goes on after this page. */
  cursor: RunCursor;
  /** The export has nothing after this page: the run succeeds with it. */
  last: boolean;
  /** The last page of an incremental export: the key value the next run starts after. */
  exportLastValue?: { exportId: string; value: string | number };
}

/** A stored record larger than this keeps only its start, so one huge record cannot bloat the run. */
const MAX_RECORD_CHARS = 64 * 1024;

/**
 * One page, all or nothing: its record errors, the counts, pagesDone + 1, where the export goes
 * on, the heartbeat; on the last page also SUCCEEDED (and an incremental export's last value).
 * The row must still be this instance's and at `page - 1` pages: a page counts once, however
 * often it was tried. Throws LOST when it is not.
 */
export async function commitPage(db: Database, commit: PageCommit): Promise<void> {
  const now = new Date();
  const last = commit.last;
  await db.$transaction(async (tx) => {
    const updated = await tx.flowRun.updateMany({
      where: {
        id: commit.runId,
        claimedBy: commit.instanceId,
        status: 'RUNNING',
        pagesDone: commit.page - 1,
      },
      data: {
        recordsRead: { increment: commit.counts.read },
        recordsWritten: { increment: commit.counts.written },
        recordsFailed: { increment: commit.counts.failed },
        pagesDone: commit.page,
        cursor: commit.cursor as unknown as Prisma.InputJsonObject,
        heartbeatAt: now,
        ...(last ? { status: 'SUCCEEDED' as const, finishedAt: now } : {}),
      },
    });
    if (updated.count === 0) throw LOST;
    if (commit.failures.length > 0)
      await tx.flowRunRecordError.createMany({
        data: commit.failures.map((failure) => ({
          runId: commit.runId,
          page: failure.page,
          index: failure.index,
          stage: failure.stage,
          step: failure.step,
          message: failure.message.slice(0, 10_000),
          record: storedRecord(failure.record),
        })),
        skipDuplicates: true,
      });
    // Not through the model: the export's settings did not change (its updatedAt stays).
    if (commit.exportLastValue)
      await tx.$executeRaw`
        UPDATE "Export" SET "lastValue" = ${JSON.stringify(commit.exportLastValue.value)}::jsonb
         WHERE id = ${commit.exportLastValue.exportId}::uuid`;
  });
}

function storedRecord(record: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  if (record === null || record === undefined) return Prisma.JsonNull;
  const text = JSON.stringify(record);
  if (text === undefined) return Prisma.JsonNull;
  if (text.length <= MAX_RECORD_CHARS) return record as Prisma.InputJsonValue;
  return { truncated: true, start: text.slice(0, 1000) };
}
