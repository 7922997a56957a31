'use client';

import type { ConnectionList } from '@outpost/protocol/rest/connections';
import type { Import } from '@outpost/protocol/rest/imports';
import { FormSection } from '@/components/form-layout';
import { ConnectionResourceForm } from '@/features/resources/connection-resource-form';
import { useResourceEditor } from '@/features/resources/use-resource-editor';
import { useApiQuery } from '@/lib/use-api-query';
import { type ImportDraft, importBody, importDraftOf, validateImport } from './import-draft';
import { ImportHttpFields } from './import-http-fields';
import { ImportSqlFields } from './import-sql-fields';

/**
 * Create or edit an import: its name, the connection it writes to, then how: HTTP requests (per
 * record or batched, with an optional body template) or SQL (insert or upsert with a column
 * mapping, a transaction per batch).
 */
export function ImportForm({ initial, readOnly }: { initial?: Import; readOnly: boolean }) {
  const connections = useApiQuery<ConnectionList>('/v1/connections');
  const editor = useResourceEditor<ImportDraft, Import>({
    initial,
    toDraft: importDraftOf,
    validate: validateImport,
    kind: 'imports',
    bodyOf: importBody,
    readOnly,
  });
  const { draft, errors } = editor;
  const setHttp = editor.setIn('http');
  const setSql = editor.setIn('sql');

  return (
    <ConnectionResourceForm
      editor={editor}
      words={{ kind: 'imports', title: 'Import', plural: 'Imports', noun: 'import' }}
      namePlaceholder="Customers to the CRM"
      verb="Writes to"
      newDescription="Choose a connection, then how to write records to it."
      connectionTitle="Destination"
      connections={connections}
      readOnly={readOnly}
    >
      {draft.kind === 'http' ? (
        <FormSection title="Requests" description="Where and how records are sent.">
          <ImportHttpFields http={draft.http} errors={errors} onChange={setHttp} />
        </FormSection>
      ) : (
        <FormSection
          title="Table"
          description="Rows are written in batches, each batch in one transaction: a retried page is never written twice."
        >
          <ImportSqlFields sql={draft.sql} errors={errors} onChange={setSql} />
        </FormSection>
      )}
    </ConnectionResourceForm>
  );
}
