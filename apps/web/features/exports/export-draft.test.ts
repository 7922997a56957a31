import type { Export } from '@outpost/protocol/rest/exports';
import { describe, expect, it } from 'vitest';
import { emptyExportDraft, exportBody, exportDraftOf, validateExport } from './export-draft';

const CONNECTION_ID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

function httpExport(pagination: NonNullable<Export['http']>['pagination']): Export {
  return {
    id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a00',
    name: 'Open orders',
    description: '',
    connection: { id: CONNECTION_ID, name: 'Shop API', type: 'HTTP', mode: 'CLOUD' },
    http: { method: 'GET', path: '/orders', query: { status: 'open' }, recordsPath: 'data', pagination },
    sql: null,
    lastValue: null,
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
  };
}

describe('exportBody', () => {
  it('sends the pagination of the chosen type only, with the optional page size left out when blank', () => {
    const draft = { ...emptyExportDraft(), name: ' Open orders ', connectionId: CONNECTION_ID };
    draft.http = {
      ...draft.http,
      path: '/orders',
      query: [
        { name: 'status', value: 'open' },
        { name: ' ', value: '' },
      ],
      recordsPath: 'data',
      pagination: {
        ...draft.http.pagination,
        type: 'page_number',
        pageParam: 'p',
        startAt: '0',
        sizeParam: '',
      },
    };
    expect(exportBody(draft)).toEqual({
      name: 'Open orders',
      description: '',
      connectionId: CONNECTION_ID,
      http: {
        method: 'GET',
        path: '/orders',
        query: { status: 'open' },
        recordsPath: 'data',
        pagination: { type: 'page_number', param: 'p', startAt: 0 },
      },
    });
  });

  it('sends SQL settings for a database connection, parameters parsed from JSON', () => {
    const draft = {
      ...emptyExportDraft(),
      name: 'Customers',
      connectionId: CONNECTION_ID,
      kind: 'sql' as const,
    };
    draft.sql = {
      query: 'SELECT * FROM customers WHERE region = $1',
      params: '["eu", 3]',
      keyColumn: 'id',
      incremental: true,
    };
    expect(exportBody(draft)).toMatchObject({
      sql: { query: draft.sql.query, params: ['eu', 3], keyColumn: 'id', incremental: true },
    });
    expect(exportBody(draft)).not.toHaveProperty('http');
  });
});

describe('exportDraftOf', () => {
  it('reads each pagination type back into its own fields, keeping the others at their defaults', () => {
    const cursor = exportDraftOf(httpExport({ type: 'cursor', param: 'after', path: 'meta.next' }));
    expect(cursor.http.pagination).toMatchObject({
      type: 'cursor',
      cursorParam: 'after',
      cursorPath: 'meta.next',
    });
    expect(cursor.http.pagination.pageParam).toBe('page');
    expect(cursor.http.query).toEqual([{ name: 'status', value: 'open' }]);

    const pages = exportDraftOf(
      httpExport({ type: 'page_number', param: 'page', startAt: 1, sizeParam: 'per_page', size: 50 }),
    );
    expect(pages.http.pagination).toMatchObject({ sizeParam: 'per_page', size: '50', startAt: '1' });
  });

  it('round-trips: the body of a saved export is what it was saved with', () => {
    const saved = httpExport({ type: 'next_link', source: 'link_header', path: 'next' });
    expect(exportBody(exportDraftOf(saved))).toMatchObject({
      http: { pagination: { type: 'next_link', source: 'link_header' } },
    });
  });
});

describe('validateExport', () => {
  it('asks for the connection, and names fields by the paths the API uses', () => {
    const draft = emptyExportDraft();
    draft.http.path = 'orders';
    draft.http.pagination.type = 'page_number';
    draft.http.pagination.size = 'ten';
    expect(validateExport(draft, undefined)).toMatchObject({
      name: 'Name is required',
      connectionId: 'Choose the connection to read from',
      'http.path': 'a path starting with /',
      'http.pagination.size': expect.any(String),
    });
  });

  it('wants SQL parameters as a JSON array', () => {
    const draft = { ...emptyExportDraft(), name: 'x', connectionId: CONNECTION_ID, kind: 'sql' as const };
    draft.sql = { ...draft.sql, query: 'SELECT 1', params: '"eu"' };
    expect(validateExport(draft, undefined)['sql.params']).toMatch(/JSON array/);
  });
});
