import {
  CreateExportBody,
  type Export,
  type HttpPagination,
  UpdateExportBody,
} from '@outpost/protocol/rest/exports';
import { checkWithSchema, type FieldErrors } from '../../lib/form-errors';

export type PaginationType = HttpPagination['type'];

export interface QueryRow {
  name: string;
  value: string;
}

/**
 * The export form: every field as typed. Pagination keeps each type's settings while another type
 * is picked, so switching back loses nothing.
 */
export interface ExportDraft {
  name: string;
  description: string;
  connectionId: string;
  /** Which settings the connection takes: HTTP for HTTP connections, SQL for databases. */
  kind: 'http' | 'sql';
  http: {
    method: 'GET' | 'POST';
    path: string;
    query: QueryRow[];
    body: string;
    recordsPath: string;
    pagination: {
      type: PaginationType;
      nextSource: 'body' | 'link_header';
      nextPath: string;
      pageParam: string;
      startAt: string;
      sizeParam: string;
      size: string;
      cursorParam: string;
      cursorPath: string;
    };
  };
  sql: { query: string; params: string; keyColumn: string; incremental: boolean };
}

export const PAGINATION_LABELS: Record<PaginationType, string> = {
  none: 'None',
  next_link: 'Next link',
  page_number: 'Page number',
  cursor: 'Cursor',
};

export function emptyExportDraft(): ExportDraft {
  return {
    name: '',
    description: '',
    connectionId: '',
    kind: 'http',
    http: {
      method: 'GET',
      path: '/',
      query: [],
      body: '',
      recordsPath: '',
      pagination: {
        type: 'none',
        nextSource: 'body',
        nextPath: 'next',
        pageParam: 'page',
        startAt: '1',
        sizeParam: '',
        size: '',
        cursorParam: 'cursor',
        cursorPath: 'next_cursor',
      },
    },
    sql: { query: '', params: '[]', keyColumn: 'id', incremental: false },
  };
}

/** The form for a saved export (or an empty one). */
export function exportDraftOf(saved: Export | undefined): ExportDraft {
  const draft = emptyExportDraft();
  if (!saved) return draft;
  draft.name = saved.name;
  draft.description = saved.description;
  draft.connectionId = saved.connection.id;
  draft.kind = saved.sql ? 'sql' : 'http';
  if (saved.http) {
    const { http } = saved;
    const pagination = { ...draft.http.pagination, type: http.pagination.type };
    switch (http.pagination.type) {
      case 'next_link':
        pagination.nextSource = http.pagination.source;
        pagination.nextPath = http.pagination.path;
        break;
      case 'page_number':
        pagination.pageParam = http.pagination.param;
        pagination.startAt = String(http.pagination.startAt);
        pagination.sizeParam = http.pagination.sizeParam ?? '';
        pagination.size = http.pagination.size === undefined ? '' : String(http.pagination.size);
        break;
      case 'cursor':
        pagination.cursorParam = http.pagination.param;
        pagination.cursorPath = http.pagination.path;
        break;
      case 'none':
        break;
    }
    draft.http = {
      method: http.method,
      path: http.path,
      query: Object.entries(http.query ?? {}).map(([name, value]) => ({ name, value })),
      body: http.body ?? '',
      recordsPath: http.recordsPath,
      pagination,
    };
  }
  if (saved.sql) {
    draft.sql = {
      query: saved.sql.query,
      params: JSON.stringify(saved.sql.params),
      keyColumn: saved.sql.keyColumn,
      incremental: saved.sql.incremental,
    };
  }
  return draft;
}

/** `{ name: value }` of the rows that have a name; undefined when there are none. */
export function recordOfRows(rows: readonly QueryRow[]): Record<string, string> | undefined {
  const filled = rows.filter((row) => row.name.trim() !== '');
  if (filled.length === 0) return undefined;
  return Object.fromEntries(filled.map((row) => [row.name.trim(), row.value]));
}

/** A whole number as typed, or the text itself so that the schema names the field. */
function numberOf(value: string): number | string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function paginationOf(pagination: ExportDraft['http']['pagination']): unknown {
  switch (pagination.type) {
    case 'none':
      return { type: 'none' };
    case 'next_link':
      return pagination.nextSource === 'link_header'
        ? { type: 'next_link', source: 'link_header' }
        : { type: 'next_link', source: 'body', path: pagination.nextPath.trim() };
    case 'page_number': {
      const size = numberOf(pagination.size);
      const sizeParam = pagination.sizeParam.trim();
      return {
        type: 'page_number',
        param: pagination.pageParam.trim(),
        startAt: numberOf(pagination.startAt) ?? 1,
        ...(sizeParam === '' ? {} : { sizeParam }),
        ...(size === undefined ? {} : { size }),
      };
    }
    case 'cursor':
      return { type: 'cursor', param: pagination.cursorParam.trim(), path: pagination.cursorPath.trim() };
  }
}

/** SQL parameters as a JSON array of strings, numbers, booleans and nulls; the text itself when it is not one. */
export function paramsOf(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

function settingsOf(draft: ExportDraft) {
  if (draft.kind === 'sql') {
    return {
      sql: {
        query: draft.sql.query,
        params: paramsOf(draft.sql.params),
        keyColumn: draft.sql.keyColumn.trim(),
        incremental: draft.sql.incremental,
      },
    };
  }
  const { http } = draft;
  const query = recordOfRows(http.query);
  return {
    http: {
      method: http.method,
      path: http.path.trim(),
      ...(query ? { query } : {}),
      ...(http.method === 'POST' && http.body.trim() !== '' ? { body: http.body } : {}),
      recordsPath: http.recordsPath.trim(),
      pagination: paginationOf(http.pagination),
    },
  };
}

/** What `POST /v1/exports` and `PATCH /v1/exports/:id` are sent: the settings whole. */
export function exportBody(draft: ExportDraft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    connectionId: draft.connectionId,
    ...settingsOf(draft),
  };
}

/** Messages by the API's issue paths (`http.pagination.param`), from the API's own schema. */
export function validateExport(draft: ExportDraft, saved: Export | undefined): FieldErrors {
  const errors: FieldErrors = {};
  if (draft.connectionId === '') errors.connectionId = 'Choose the connection to read from';
  if (draft.kind === 'sql' && !Array.isArray(paramsOf(draft.sql.params)))
    errors['sql.params'] = 'Give the parameters as a JSON array, e.g. ["open", 100]';
  return checkWithSchema(errors, saved ? UpdateExportBody : CreateExportBody, exportBody(draft));
}
