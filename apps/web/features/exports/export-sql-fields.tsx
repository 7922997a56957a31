'use client';

import type { ConnectionType } from '@outpost/protocol/rest/connections';
import { Button } from '@/components/button';
import { CodeField } from '@/components/code-editor';
import { TextField } from '@/components/field';
import { formStyles } from '@/components/form-layout';
import { Switch } from '@/components/switch';
import type { FieldErrors } from '@/lib/form-errors';
import type { ExportDraft } from './export-draft';

type Sql = ExportDraft['sql'];

/** The query, its parameters, the key column it is read in order of, and Incremental. */
export function ExportSqlFields({
  sql,
  connectionType,
  errors,
  onChange,
  lastValue,
  onResetLastValue,
}: {
  sql: Sql;
  connectionType: ConnectionType | undefined;
  errors: FieldErrors;
  onChange: (patch: Partial<Sql>) => void;
  /** What the last successful run of a saved incremental export read up to. */
  lastValue: string | number | null;
  /** Forgets the last value (undefined while that is not possible, e.g. for MONITOR). */
  onResetLastValue: (() => void) | undefined;
}) {
  const placeholder = connectionType === 'MYSQL' ? '?' : '$1';
  return (
    <>
      <CodeField
        label="Query"
        value={sql.query}
        onChange={(query) => onChange({ query })}
        error={errors['sql.query']}
        rows={8}
        placeholder={`SELECT id, customer, total FROM orders WHERE status = ${placeholder}`}
        hint="Read in pages ordered by the key column: no ORDER BY or LIMIT needed."
      />
      <TextField
        label="Parameters"
        name="params"
        optional
        value={sql.params}
        onChange={(event) => onChange({ params: event.target.value })}
        placeholder='["open"]'
        hint={`A JSON array: the first value is ${placeholder}${connectionType === 'MYSQL' ? ' (in order)' : ', the second $2'}.`}
        error={errors['sql.params']}
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        label="Key column"
        name="keyColumn"
        value={sql.keyColumn}
        onChange={(event) => onChange({ keyColumn: event.target.value })}
        placeholder="id"
        hint="Unique and increasing, e.g. id: pages follow it, and Incremental remembers it."
        error={errors['sql.keyColumn']}
        autoComplete="off"
        spellCheck={false}
      />
      <div className={formStyles.stack}>
        <Switch
          label="Incremental"
          hint="Each run reads only rows whose key column is past the last value a successful run read."
          checked={sql.incremental}
          onChange={(incremental) => onChange({ incremental })}
        />
        {sql.incremental && lastValue !== null ? (
          <p className={formStyles.muted} data-testid="last-value">
            Last value: <code>{String(lastValue)}</code>
            {onResetLastValue ? (
              <>
                {' · '}
                <Button size="small" variant="ghost" onClick={onResetLastValue}>
                  Reset
                </Button>
              </>
            ) : null}
          </p>
        ) : null}
      </div>
    </>
  );
}
