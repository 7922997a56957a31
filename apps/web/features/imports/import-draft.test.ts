import type { Import } from '@outpost/protocol/rest/imports';
import { describe, expect, it } from 'vitest';
import { emptyImportDraft, importBody, importDraftOf, templateIsJson, validateImport } from './import-draft';

const CONNECTION_ID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('the column mapping', () => {
  it('becomes columns without blank rows, and key columns only for upsert', () => {
    const draft = { ...emptyImportDraft(), name: 'CRM', connectionId: CONNECTION_ID, kind: 'sql' as const };
    draft.sql = {
      table: 'crm.customers',
      mode: 'upsert',
      keyColumns: 'tenant, id ,',
      columns: [
        { column: 'id', field: 'id' },
        { column: ' tenant', field: 'account.tenant ' },
        { column: '', field: '' },
      ],
      batchSize: '250',
    };
    expect(importBody(draft)).toEqual({
      name: 'CRM',
      description: '',
      connectionId: CONNECTION_ID,
      sql: {
        table: 'crm.customers',
        mode: 'upsert',
        keyColumns: ['tenant', 'id'],
        columns: [
          { column: 'id', field: 'id' },
          { column: 'tenant', field: 'account.tenant' },
        ],
        batchSize: 250,
      },
    });
    expect(importBody({ ...draft, sql: { ...draft.sql, mode: 'insert' } })).toMatchObject({
      sql: { keyColumns: [] },
    });
  });

  it('reads back from a saved import', () => {
    const saved: Import = {
      id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a00',
      name: 'CRM',
      description: '',
      connection: { id: CONNECTION_ID, name: 'CRM database', type: 'POSTGRES', mode: 'ON_PREMISE' },
      http: null,
      sql: {
        table: 'customers',
        mode: 'upsert',
        keyColumns: ['tenant', 'id'],
        columns: [{ column: 'email', field: 'contact.email' }],
        batchSize: 500,
      },
      createdAt: '2026-11-28T10:00:00.000Z',
      updatedAt: '2026-11-28T10:00:00.000Z',
    };
    expect(importDraftOf(saved)).toMatchObject({
      kind: 'sql',
      sql: {
        keyColumns: 'tenant, id',
        columns: [{ column: 'email', field: 'contact.email' }],
        batchSize: '500',
      },
    });
  });

  it('names the row and half the API would', () => {
    const draft = { ...emptyImportDraft(), name: 'CRM', connectionId: CONNECTION_ID, kind: 'sql' as const };
    draft.sql = {
      ...draft.sql,
      table: 'customers',
      columns: [{ column: 'email', field: '' }],
      mode: 'upsert',
      keyColumns: 'id',
    };
    expect(validateImport(draft, undefined)).toMatchObject({
      'sql.columns.0.field': 'a field',
      'sql.keyColumns': 'Every key column must be one of the mapped columns',
    });
  });
});

describe('HTTP imports', () => {
  it('send a batch size only when batched, and no empty template or headers', () => {
    const draft = { ...emptyImportDraft(), name: 'Orders', connectionId: CONNECTION_ID };
    draft.http = { ...draft.http, path: '/orders/{{record.id}}', mode: 'record', method: 'PUT' };
    expect(importBody(draft)).toMatchObject({
      http: { method: 'PUT', path: '/orders/{{record.id}}', mode: 'record' },
    });
    expect((importBody(draft).http as object) ?? {}).not.toHaveProperty('batchSize');
    expect(importBody({ ...draft, http: { ...draft.http, mode: 'batch', batchSize: '50' } })).toMatchObject({
      http: { mode: 'batch', batchSize: 50 },
    });
  });
});

describe('templateIsJson', () => {
  it('reads placeholders as the JSON values they become', () => {
    expect(templateIsJson('{ "items": "{{records}}", "run": "{{run.id}}" }')).toBe(true);
    expect(templateIsJson('{ "id": "{{record.id}}", "customer": "{{record}}" }')).toBe(true);
    expect(templateIsJson('{ "items": "{{records}}", }')).toBe(false);
  });
});
