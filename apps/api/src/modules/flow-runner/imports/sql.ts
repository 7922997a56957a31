import type { SqlImportSettings } from '@outpost/protocol/rest/imports';
import { ConnectionFailure } from '../../connections/runner.ts';
import { type ConnectionDeps, runSqlBatch } from '../../connections/service.ts';
import type { ConnectionWithAgent } from '../../connections/settings.ts';
import { valueAt } from '../exports/json-path.ts';
import { ImportFailure } from './errors.ts';
import type { ImportOutcome, PageKey } from './index.ts';

type Value = string | number | boolean | null;

/** A batch travels in one frame to an agent (1 MiB at most): its rows stay under this. */
export const MAX_BATCH_BYTES = 768 * 1024;
const TIMEOUT_MS = 120_000;
/** Failures of the statement itself: the next try would fail the same way. */
const PERMANENT = new Set(['query_failed', 'auth_failed', 'invalid_input', 'unknown_operation']);

interface Target {
  id: string;
  settings: SqlImportSettings;
  connection: ConnectionWithAgent;
}

/**
 * One page into a table, batch by batch, each batch in one transaction with its key
 * `<run>:<import>:<page>:<batch>` recorded beside the rows in the destination: a batch written
 * before is skipped, so a retried page is never written twice.
 */
export async function writeSqlPage(
  deps: ConnectionDeps,
  target: Target,
  records: unknown[],
  key: PageKey,
  signal: AbortSignal,
): Promise<ImportOutcome> {
  const { settings } = target;
  const outcome: ImportOutcome = { written: 0, failures: [], alreadyWritten: 0 };
  const batches = splitBatches(
    records.map((record) => rowOf(settings, record)),
    settings.batchSize,
  );
  for (const [index, batch] of batches.entries()) {
    for (const [at, size] of batch.tooLarge)
      outcome.failures.push({
        index: at,
        message: `The record's mapped values take ${size} bytes; a record can take at most ${MAX_BATCH_BYTES} bytes`,
      });
    if (batch.rows.length === 0) continue;
    try {
      const result = await runSqlBatch(deps, target.connection, {
        table: settings.table,
        mode: settings.mode,
        keyColumns: settings.keyColumns,
        columns: settings.columns.map((mapping) => mapping.column),
        rows: batch.rows,
        batchKey: `${key.runId}:${target.id}:${key.page}:${index}`,
        timeoutMs: TIMEOUT_MS,
        signal,
      });
      outcome.written += result.written;
      outcome.alreadyWritten += result.alreadyWritten;
      for (const failure of result.failures)
        outcome.failures.push({ index: batch.indexes[failure.index] ?? -1, message: failure.message });
    } catch (error) {
      if (error instanceof ConnectionFailure && PERMANENT.has(error.code))
        throw new ImportFailure(error.message);
      throw error;
    }
  }
  outcome.failures.sort((a, b) => a.index - b.index);
  return outcome;
}

/** A record's values in the mapping's column order: objects and arrays as JSON text, missing as NULL. */
export function rowOf(settings: SqlImportSettings, record: unknown): Value[] {
  return settings.columns.map(({ field }) => {
    const value = valueAt(record, field);
    if (value === undefined || value === null) return null;
    if (typeof value === 'object') return JSON.stringify(value);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    return String(value);
  });
}

interface Batch {
  rows: Value[][];
  /** Each row's index in the page. */
  indexes: number[];
  /** Rows too large for any batch: their index and size. */
  tooLarge: [index: number, bytes: number][];
}

/**
 * Batches of at most `size` rows and `MAX_BATCH_BYTES`; the same page always splits the same
 * way, so a retried page's batches have the same keys.
 */
export function splitBatches(rows: Value[][], size: number): Batch[] {
  const batches: Batch[] = [];
  let current: Batch = { rows: [], indexes: [], tooLarge: [] };
  let bytes = 0;
  for (const [index, row] of rows.entries()) {
    const rowBytes = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (rowBytes > MAX_BATCH_BYTES) {
      current.tooLarge.push([index, rowBytes]);
      continue;
    }
    if (current.rows.length >= size || bytes + rowBytes > MAX_BATCH_BYTES) {
      batches.push(current);
      current = { rows: [], indexes: [], tooLarge: [] };
      bytes = 0;
    }
    current.rows.push(row);
    current.indexes.push(index);
    bytes += rowBytes;
  }
  if (current.rows.length > 0 || current.tooLarge.length > 0) batches.push(current);
  return batches;
}
