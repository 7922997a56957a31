import type { HttpImportSettings, SqlImportSettings } from '@outpost/protocol/rest/imports';
import type { ConnectionDeps } from '../../connections/service.ts';
import type { ConnectionWithAgent } from '../../connections/settings.ts';
import { ImportFailure } from './errors.ts';
import { writeHttpPage } from './http.ts';
import { writeSqlPage } from './sql.ts';

export { ImportFailure } from './errors.ts';

export interface ImportTarget {
  import: { id: string; name: string; http: HttpImportSettings | null; sql: SqlImportSettings | null };
  connection: ConnectionWithAgent;
}

/** A page of a run: what idempotency keys and batch keys are made of. */
export interface PageKey {
  runId: string;
  page: number;
}

export interface ImportOutcome {
  written: number;
  /** Records refused by the destination, by their index in `records`. */
  failures: { index: number; message: string }[];
  /** Records skipped because their batch (or the record) had been written before under this key. */
  alreadyWritten: number;
}

/**
 * Writes one page of records to an import's destination through its connection (Cloud or
 * On-premise, as the connection says). Transport failures (agent offline, timeout, connection
 * refused, 5xx after retries) throw `ConnectionFailure`: the runner retries the whole page later,
 * and what was written already is not written again. A destination error that will not go away
 * (missing table, 4xx to a batch, bad SQL) throws `ImportFailure` with the destination's message.
 */
export async function writeImportPage(
  deps: ConnectionDeps,
  target: ImportTarget,
  records: unknown[],
  key: PageKey,
  options: { signal: AbortSignal },
): Promise<ImportOutcome> {
  const { id, name, http, sql } = target.import;
  if (records.length === 0) return { written: 0, failures: [], alreadyWritten: 0 };
  if (http)
    return writeHttpPage(
      deps,
      { id, name, settings: http, connection: target.connection },
      records,
      key,
      options.signal,
    );
  if (sql)
    return writeSqlPage(
      deps,
      { id, settings: sql, connection: target.connection },
      records,
      key,
      options.signal,
    );
  throw new ImportFailure(`The import "${name}" has neither HTTP nor SQL settings`);
}
