// TEMPORARY: the signatures of the export reader and import writer (exports/, imports/), until
// they land.
import type { ConnectionDeps } from '../connections/service.ts';
import type { ConnectionWithAgent } from '../connections/settings.ts';
import type { ImportDefinition } from './flow-definition.ts';

export { type ExportPage, readExportPage } from './exports/index.ts';

export async function writeImportPage(
  _deps: ConnectionDeps,
  _target: { import: ImportDefinition; connection: ConnectionWithAgent },
  _records: unknown[],
  _key: { runId: string; page: number },
  _options: { signal: AbortSignal },
): Promise<{ written: number; failures: { index: number; message: string }[]; alreadyWritten: number }> {
  throw new Error('not yet');
}
