import type { Database } from '@outpost/db/client';
import type { HttpExportSettings, SqlExportSettings } from '@outpost/protocol/rest/exports';
import type { HttpImportSettings, SqlImportSettings } from '@outpost/protocol/rest/imports';
import type { ConnectionWithAgent } from '../connections/settings.ts';
import type { FlowScriptStep } from './script-steps.ts';

/** An export as a run reads it. */
export interface ExportDefinition {
  id: string;
  name: string;
  connectionId: string;
  http: HttpExportSettings | null;
  sql: SqlExportSettings | null;
  lastValue: string | number | null;
}

/** An import as a run writes it. */
export interface ImportDefinition {
  id: string;
  name: string;
  connectionId: string;
  http: HttpImportSettings | null;
  sql: SqlImportSettings | null;
}

export interface FlowDefinition {
  id: string;
  name: string;
  pageSize: number;
  export: ExportDefinition;
  scripts: FlowScriptStep[];
  imports: ImportDefinition[];
}

/** The settings column of an export or import: `{ http }` or `{ sql }`, as for connections. */
function settingsOf<H, S>(settings: unknown): { http: H | null; sql: S | null } {
  const value = (settings ?? {}) as { http?: H; sql?: S };
  return { http: value.http ?? null, sql: value.sql ?? null };
}

/** The flow with its export, scripts and imports in order; null when it is gone. */
export async function loadFlow(db: Database, flowId: string): Promise<FlowDefinition | null> {
  const flow = await db.flow.findUnique({
    where: { id: flowId },
    include: {
      export: true,
      scripts: { orderBy: { position: 'asc' }, include: { script: true } },
      imports: { orderBy: { position: 'asc' }, include: { import: true } },
    },
  });
  if (!flow) return null;
  const lastValue = flow.export.lastValue;
  return {
    id: flow.id,
    name: flow.name,
    pageSize: flow.pageSize,
    export: {
      id: flow.export.id,
      name: flow.export.name,
      connectionId: flow.export.connectionId,
      ...settingsOf<HttpExportSettings, SqlExportSettings>(flow.export.settings),
      lastValue: typeof lastValue === 'string' || typeof lastValue === 'number' ? lastValue : null,
    },
    scripts: flow.scripts.map(({ script }) => ({
      name: script.name,
      kind: script.kind,
      source: script.source,
    })),
    imports: flow.imports.map(({ import: target }) => ({
      id: target.id,
      name: target.name,
      connectionId: target.connectionId,
      ...settingsOf<HttpImportSettings, SqlImportSettings>(target.settings),
    })),
  };
}

/**
 * A connection as it is now: loaded again for every page, so a run sees a refreshed OAuth token
 * or a changed agent.
 */
export async function loadConnection(db: Database, connectionId: string): Promise<ConnectionWithAgent> {
  return db.connection.findUniqueOrThrow({ where: { id: connectionId }, include: { agent: true } });
}
