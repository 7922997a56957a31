'use client';

import type { Connection, ConnectionMode, ConnectionType } from '@outpost/protocol/rest/connections';
import Link from 'next/link';
import { Badge } from '@/components/badge';
import { Field } from '@/components/field';
import { FormSection, formStyles } from '@/components/form-layout';
import { SelectMenu, type SelectMenuOption } from '@/components/select-menu';
import { CellText } from '@/components/table';
import { MODE_LABELS, TYPE_LABELS } from '@/features/connections/connection-draft';
import { connectionsPath } from '@/features/connections/paths';
import { useEnvironment } from '@/lib/environment';
import type { ApiQuery } from '@/lib/use-api-query';

/** Cloud or On-premise, as the connections list shows it. */
export function ModeBadge({ mode }: { mode: ConnectionMode }) {
  return <Badge tone={mode === 'ON_PREMISE' ? 'accent' : 'neutral'}>{MODE_LABELS[mode]}</Badge>;
}

/** Exports and imports say what kind of settings they hold: HTTP or SQL. */
export function settingsKindOf(type: ConnectionType): 'HTTP' | 'SQL' {
  return type === 'HTTP' ? 'HTTP' : 'SQL';
}

/** Picking a connection for an export or import: its id, and which settings its type takes. */
export function pickConnection(connection: { id: string; type: ConnectionType }) {
  return {
    connectionId: connection.id,
    kind: connection.type === 'HTTP' ? ('http' as const) : ('sql' as const),
  };
}

/** The fields whose messages go when another connection is picked. */
export const PICK_FIELDS = ['connectionId', 'http', 'sql'];

/** A connection an export or import uses: its name, then its type and mode. */
export function ConnectionCell({
  connection,
}: {
  connection: { name: string; type: ConnectionType; mode: ConnectionMode };
}) {
  return (
    <CellText
      primary={connection.name}
      secondary={
        <span className={formStyles.headerMeta}>
          {TYPE_LABELS[connection.type]} <ModeBadge mode={connection.mode} />
        </span>
      }
    />
  );
}

/**
 * The Connection drop-down of an export or import: this environment's connections with their type,
 * mode and (On-premise) agent. The transport comes from the connection: nothing else to set.
 */
export function ConnectionPicker({
  connections,
  value,
  onChange,
  error,
}: {
  connections: ApiQuery<{ items: Connection[] }>;
  value: string;
  onChange: (connection: Connection) => void;
  error?: string;
}) {
  const environment = useEnvironment();
  const items = connections.data?.items ?? [];
  const picked = items.find((connection) => connection.id === value);
  const options: SelectMenuOption[] = items.map((connection) => {
    const meta = (
      <span className={formStyles.headerMeta}>
        {TYPE_LABELS[connection.type]}
        <ModeBadge mode={connection.mode} />
        {connection.mode === 'ON_PREMISE' && connection.agent ? (
          <span>through {connection.agent.name}</span>
        ) : null}
      </span>
    );
    return {
      value: connection.id,
      text: connection.name,
      label: (
        <span className={formStyles.optionRow}>
          <strong>{connection.name}</strong>
          {meta}
        </span>
      ),
    };
  });
  return (
    <Field
      label="Connection"
      error={error}
      hint={
        picked?.mode === 'ON_PREMISE'
          ? `Runs through the agent ${picked.agent?.name ?? ''}: the connection holds everything the agent needs.`
          : picked
            ? "Runs from Outpost's cloud."
            : connections.error
              ? connections.error.message
              : 'Which system to use; On-premise connections run through their agent with no extra settings.'
      }
    >
      {(control) => (
        <SelectMenu
          {...control}
          label="Connections"
          value={value}
          options={options}
          onChange={(id) => {
            const connection = items.find((item) => item.id === id);
            if (connection) onChange(connection);
          }}
          placeholder={connections.data ? 'Choose a connection' : 'Loading connections…'}
          empty={
            connections.data ? (
              <>
                No connections in {environment.name} yet:{' '}
                <Link href={connectionsPath(environment.slug)}>create one</Link>.
              </>
            ) : (
              'Loading connections…'
            )
          }
        />
      )}
    </Field>
  );
}

/** "Reads from Orders API · HTTP · Cloud": a saved export's or import's connection, in its header. */
export function ConnectionSummary({
  verb,
  connection,
}: {
  verb: string;
  connection: { name: string; type: ConnectionType; mode: ConnectionMode };
}) {
  return (
    <span className={formStyles.headerMeta}>
      {verb} {connection.name} <span>{TYPE_LABELS[connection.type]}</span>
      <ModeBadge mode={connection.mode} />
    </span>
  );
}

/** The section of an export or import form that picks its connection. */
export function ConnectionSection({
  title,
  ...picker
}: { title: string } & Parameters<typeof ConnectionPicker>[0]) {
  return (
    <FormSection
      title={title}
      description="The connection to use. On-premise connections run through their agent: nothing else to set here."
    >
      <ConnectionPicker {...picker} />
    </FormSection>
  );
}
