import { CreateImportBody, type Import, UpdateImportBody } from '@outpost/protocol/rest/imports';
import { checkWithSchema, type FieldErrors } from '../../lib/form-errors';
import { type QueryRow, recordOfRows } from '../exports/export-draft';

export interface MappingRow {
  column: string;
  field: string;
}

/** The import form: every field as typed. */
export interface ImportDraft {
  name: string;
  description: string;
  connectionId: string;
  kind: 'http' | 'sql';
  http: {
    method: 'POST' | 'PUT' | 'PATCH';
    path: string;
    mode: 'record' | 'batch';
    batchSize: string;
    bodyTemplate: string;
    headers: QueryRow[];
  };
  sql: {
    table: string;
    mode: 'insert' | 'upsert';
    /** Comma-separated, as typed: `id` or `tenant, id`. */
    keyColumns: string;
    columns: MappingRow[];
    batchSize: string;
  };
}

export function emptyImportDraft(): ImportDraft {
  return {
    name: '',
    description: '',
    connectionId: '',
    kind: 'http',
    http: { method: 'POST', path: '/', mode: 'batch', batchSize: '100', bodyTemplate: '', headers: [] },
    sql: {
      table: '',
      mode: 'insert',
      keyColumns: '',
      columns: [{ column: '', field: '' }],
      batchSize: '500',
    },
  };
}

export function importDraftOf(saved: Import | undefined): ImportDraft {
  const draft = emptyImportDraft();
  if (!saved) return draft;
  draft.name = saved.name;
  draft.description = saved.description;
  draft.connectionId = saved.connection.id;
  draft.kind = saved.sql ? 'sql' : 'http';
  if (saved.http) {
    draft.http = {
      method: saved.http.method,
      path: saved.http.path,
      mode: saved.http.mode,
      batchSize: String(saved.http.batchSize),
      bodyTemplate: saved.http.bodyTemplate ?? '',
      headers: Object.entries(saved.http.headers ?? {}).map(([name, value]) => ({ name, value })),
    };
  }
  if (saved.sql) {
    draft.sql = {
      table: saved.sql.table,
      mode: saved.sql.mode,
      keyColumns: saved.sql.keyColumns.join(', '),
      columns: saved.sql.columns.map(({ column, field }) => ({ column, field })),
      batchSize: String(saved.sql.batchSize),
    };
  }
  return draft;
}

/** A whole number as typed, or the text itself so that the schema names the field. */
export function wholeNumberOf(value: string): number | string {
  const trimmed = value.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** `tenant, id` → `['tenant', 'id']`. */
export function keyColumnsOf(text: string): string[] {
  return text
    .split(',')
    .map((column) => column.trim())
    .filter(Boolean);
}

/** The mapping rows that say something; a row with only one half stays, for the schema to name. */
export function mappingOf(rows: readonly MappingRow[]): MappingRow[] {
  return rows
    .map((row) => ({ column: row.column.trim(), field: row.field.trim() }))
    .filter((row) => row.column !== '' || row.field !== '');
}

function settingsOf(draft: ImportDraft) {
  if (draft.kind === 'sql') {
    const { sql } = draft;
    return {
      sql: {
        table: sql.table.trim(),
        mode: sql.mode,
        keyColumns: sql.mode === 'upsert' ? keyColumnsOf(sql.keyColumns) : [],
        columns: mappingOf(sql.columns),
        batchSize: wholeNumberOf(sql.batchSize),
      },
    };
  }
  const { http } = draft;
  const headers = recordOfRows(http.headers);
  return {
    http: {
      method: http.method,
      path: http.path.trim(),
      mode: http.mode,
      ...(http.mode === 'batch' ? { batchSize: wholeNumberOf(http.batchSize) } : {}),
      ...(http.bodyTemplate.trim() === '' ? {} : { bodyTemplate: http.bodyTemplate }),
      ...(headers ? { headers } : {}),
    },
  };
}

/** What `POST /v1/imports` and `PATCH /v1/imports/:id` are sent: the settings whole. */
export function importBody(draft: ImportDraft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    connectionId: draft.connectionId,
    ...settingsOf(draft),
  };
}

export function validateImport(draft: ImportDraft, saved: Import | undefined): FieldErrors {
  const errors: FieldErrors = {};
  if (draft.connectionId === '') errors.connectionId = 'Choose the connection to write to';
  if (
    draft.kind === 'http' &&
    draft.http.bodyTemplate.trim() !== '' &&
    !templateIsJson(draft.http.bodyTemplate)
  )
    errors['http.bodyTemplate'] =
      'The template is JSON once its placeholders are filled in: check quotes and commas';
  return checkWithSchema(errors, saved ? UpdateImportBody : CreateImportBody, importBody(draft));
}

/**
 * Whether a body template is JSON once its placeholders are filled in: `"{{record}}"` and friends
 * stand for JSON values, `{{run.id}}` for text inside a string.
 */
export function templateIsJson(template: string): boolean {
  const filled = template
    .replace(/"\{\{\s*(records?|record\.[^}]+)\s*\}\}"/g, 'null')
    .replace(/\{\{[^}]*\}\}/g, 'x');
  try {
    JSON.parse(filled);
    return true;
  } catch {
    return false;
  }
}
