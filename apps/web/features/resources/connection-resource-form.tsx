'use client';

import type { Connection, ConnectionMode, ConnectionType } from '@outpost/protocol/rest/connections';
import type { ReactNode } from 'react';
import type { ApiQuery } from '@/lib/use-api-query';
import { ConnectionSection, ConnectionSummary, PICK_FIELDS, pickConnection } from './connection-ref';
import { ResourceForm } from './resource-form';
import type { ResourceWords } from './resource-pages';
import type { ResourceEditor } from './use-resource-editor';

interface ConnectionResourceDraft {
  name: string;
  description: string;
  connectionId: string;
  kind: 'http' | 'sql';
}

interface ConnectionResource {
  id: string;
  name: string;
  connection: { name: string; type: ConnectionType; mode: ConnectionMode };
}

/**
 * The form page of an export or import: its name, the connection it uses (whose type decides
 * between the HTTP and SQL settings, `children`, shown once one is picked), and in the header,
 * once saved, that connection with its mode.
 */
export function ConnectionResourceForm<
  Draft extends ConnectionResourceDraft,
  Saved extends ConnectionResource,
>({
  editor,
  words,
  namePlaceholder,
  verb,
  newDescription,
  connectionTitle,
  connections,
  readOnly,
  children,
}: {
  editor: ResourceEditor<Draft, Saved>;
  words: Pick<ResourceWords, 'kind' | 'title' | 'plural' | 'noun'>;
  namePlaceholder: string;
  /** "Reads from", "Writes to". */
  verb: string;
  newDescription: string;
  /** "Source", "Destination". */
  connectionTitle: string;
  connections: ApiQuery<{ items: Connection[] }>;
  readOnly: boolean;
  children: ReactNode;
}) {
  const { draft, errors, saved, edit } = editor;
  return (
    <ResourceForm
      editor={editor}
      words={words}
      namePlaceholder={namePlaceholder}
      description={saved ? <ConnectionSummary verb={verb} connection={saved.connection} /> : newDescription}
      readOnly={readOnly}
    >
      <ConnectionSection
        title={connectionTitle}
        connections={connections}
        value={draft.connectionId}
        error={errors.connectionId}
        onChange={(picked) => edit((current) => ({ ...current, ...pickConnection(picked) }), PICK_FIELDS)}
      />
      {draft.connectionId === '' ? null : children}
    </ResourceForm>
  );
}
