import type { HttpImportSettings } from '@outpost/protocol/rest/imports';
import type { ConnectionDeps } from '../../connections/service.ts';
import type { ConnectionWithAgent } from '../../connections/settings.ts';
import { ImportFailure } from './errors.ts';
import type { ImportOutcome, PageKey } from './index.ts';
import { sendWithRetries } from './send.ts';
import { renderBody, renderPath } from './template.ts';

/** Requests of one page in flight at once, per record. */
const CONCURRENCY = 8;

interface Target {
  id: string;
  name: string;
  settings: HttpImportSettings;
  connection: ConnectionWithAgent;
}

/**
 * One page to an HTTP destination: a request per record (several at once) or per batch. Every
 * request has an `Idempotency-Key` naming the run, import, page (and batch or record), so a
 * destination that honours it does not write a retried page twice.
 */
export async function writeHttpPage(
  deps: ConnectionDeps,
  target: Target,
  records: unknown[],
  key: PageKey,
  signal: AbortSignal,
): Promise<ImportOutcome> {
  const pageKey = `outpost:${key.runId}:${target.id}:${key.page}`;
  const outcome: ImportOutcome = { written: 0, failures: [], alreadyWritten: 0 };
  if (target.settings.mode === 'record') {
    await eachAtOnce(records.length, CONCURRENCY, async (index) => {
      const failure = await writeRecord(
        deps,
        target,
        records[index],
        `${pageKey}:${index}`,
        key.runId,
        signal,
      );
      if (failure) outcome.failures.push({ index, message: failure });
      else outcome.written++;
    });
    outcome.failures.sort((a, b) => a.index - b.index);
    return outcome;
  }
  const path = renderPath(target.settings.path, { runId: key.runId });
  if ('missing' in path)
    throw new ImportFailure(
      `The path of import "${target.name}" names {{${path.missing}}}: only a request per record can use the record's fields`,
    );
  const size = target.settings.batchSize;
  for (let start = 0, batch = 0; start < records.length; start += size, batch++) {
    const chunk = records.slice(start, start + size);
    const batchKey = `${pageKey}:${batch}`;
    const answer = await sendWithRetries(
      deps,
      target.connection,
      request(
        target,
        path.path,
        renderBody(target.settings.bodyTemplate, { records: chunk, runId: key.runId }, target.name),
        batchKey,
      ),
      { signal },
    );
    if (answer.ok) {
      outcome.written += chunk.length;
      continue;
    }
    if (answer.status !== 400 && answer.status !== 422) throw new ImportFailure(answer.message);
    // The server refused the batch's content: each record alone says which ones it refuses.
    await eachAtOnce(chunk.length, CONCURRENCY, async (offset) => {
      const body = renderBody(
        target.settings.bodyTemplate,
        { records: [chunk[offset]], runId: key.runId },
        target.name,
      );
      const single = await sendWithRetries(
        deps,
        target.connection,
        request(target, path.path, body, `${batchKey}:r${offset}`),
        {
          signal,
        },
      );
      if (single.ok) outcome.written++;
      else outcome.failures.push({ index: start + offset, message: single.message });
    });
  }
  outcome.failures.sort((a, b) => a.index - b.index);
  return outcome;
}

/** One record's request; its failure message, or null when it was written. */
async function writeRecord(
  deps: ConnectionDeps,
  target: Target,
  record: unknown,
  idempotencyKey: string,
  runId: string,
  signal: AbortSignal,
): Promise<string | null> {
  const path = renderPath(target.settings.path, { record, runId });
  if ('missing' in path) return `The path needs {{${path.missing}}}, which this record does not have`;
  const body = renderBody(target.settings.bodyTemplate, { record, runId }, target.name);
  const answer = await sendWithRetries(
    deps,
    target.connection,
    request(target, path.path, body, idempotencyKey),
    {
      signal,
    },
  );
  return answer.ok ? null : answer.message;
}

function request(target: Target, path: string, body: string, idempotencyKey: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(target.settings.headers ?? {}))
    headers[name.toLowerCase()] = value;
  headers['idempotency-key'] = idempotencyKey;
  return { method: target.settings.method, path, headers, body };
}

/** Runs `work(0…count-1)`, at most `limit` at a time; the first error stops new work and is thrown. */
async function eachAtOnce(
  count: number,
  limit: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await work(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}
