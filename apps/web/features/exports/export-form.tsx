'use client';

import type { ConnectionList } from '@outpost/protocol/rest/connections';
import type { Export } from '@outpost/protocol/rest/exports';
import { FormSection } from '@/components/form-layout';
import { useToast } from '@/components/toast';
import { ConnectionResourceForm } from '@/features/resources/connection-resource-form';
import { useResourceEditor } from '@/features/resources/use-resource-editor';
import { errorMessage } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import { type ExportDraft, exportBody, exportDraftOf, validateExport } from './export-draft';
import { ExportHttpFields } from './export-http-fields';
import { ExportSqlFields } from './export-sql-fields';
import { PaginationFields } from './pagination-fields';

/**
 * Create or edit an export: its name, the connection it reads from, then what to read: an HTTP
 * request with pagination, or a SQL query (incremental by its key column). The settings follow the
 * connection's type; On-premise connections need nothing more, the agent comes with them.
 */
export function ExportForm({ initial, readOnly }: { initial?: Export; readOnly: boolean }) {
  const api = useApi();
  const toast = useToast();
  const connections = useApiQuery<ConnectionList>('/v1/connections');
  const editor = useResourceEditor<ExportDraft, Export>({
    initial,
    toDraft: exportDraftOf,
    validate: validateExport,
    kind: 'exports',
    bodyOf: exportBody,
    readOnly,
  });
  const { draft, errors, saved, edit } = editor;
  const connection =
    connections.data?.items.find((item) => item.id === draft.connectionId) ??
    (saved && saved.connection.id === draft.connectionId ? saved.connection : undefined);

  const setHttp = editor.setIn('http');
  const setSql = editor.setIn('sql');
  const setPagination = (patch: Partial<ExportDraft['http']['pagination']>) =>
    edit(
      (current) => ({
        ...current,
        http: { ...current.http, pagination: { ...current.http.pagination, ...patch } },
      }),
      ['http.pagination'],
    );

  async function resetLastValue() {
    if (!saved) return;
    try {
      editor.accept(await api.patch<Export>(`/v1/exports/${saved.id}`, { lastValue: null }));
      toast('The last value was reset: the next run reads every row');
    } catch (error) {
      toast(errorMessage(error), 'danger');
    }
  }

  return (
    <ConnectionResourceForm
      editor={editor}
      words={{ kind: 'exports', title: 'Export', plural: 'Exports', noun: 'export' }}
      namePlaceholder="Open orders"
      verb="Reads from"
      newDescription="Choose a connection, then what to read from it."
      connectionTitle="Source"
      connections={connections}
      readOnly={readOnly}
    >
      {draft.kind === 'http' ? (
        <>
          <FormSection
            title="Request"
            description="What to ask for, and where the records are in the answer."
          >
            <ExportHttpFields http={draft.http} errors={errors} onChange={setHttp} />
          </FormSection>
          <FormSection title="Pages" description="How to get the next page of records.">
            <PaginationFields pagination={draft.http.pagination} errors={errors} onChange={setPagination} />
          </FormSection>
        </>
      ) : (
        <FormSection
          title="Query"
          description="A parameterised query: values go in Parameters, never into the SQL text."
        >
          <ExportSqlFields
            sql={draft.sql}
            connectionType={connection?.type}
            errors={errors}
            onChange={setSql}
            lastValue={saved?.sql?.incremental ? saved.lastValue : null}
            onResetLastValue={readOnly ? undefined : () => void resetLastValue()}
          />
        </FormSection>
      )}
    </ConnectionResourceForm>
  );
}
