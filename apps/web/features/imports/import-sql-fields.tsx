'use client';

import { TextField } from '@/components/field';
import { formStyles } from '@/components/form-layout';
import { PairRows } from '@/components/pair-rows';
import { SegmentedControl } from '@/components/segmented-control';
import type { FieldErrors } from '@/lib/form-errors';
import type { ImportDraft } from './import-draft';

type Sql = ImportDraft['sql'];

const MODE_OPTIONS = [
  { value: 'insert', label: 'Insert' },
  { value: 'upsert', label: 'Upsert' },
] as const;

/** The table, Insert or Upsert (on key columns), the column mapping and the batch size. */
export function ImportSqlFields({
  sql,
  errors,
  onChange,
}: {
  sql: Sql;
  errors: FieldErrors;
  onChange: (patch: Partial<Sql>) => void;
}) {
  const mappingErrors = sql.columns.map(
    (_, index) => errors[`sql.columns.${index}.column`] ?? errors[`sql.columns.${index}.field`],
  );
  return (
    <>
      <TextField
        label="Table"
        name="table"
        value={sql.table}
        onChange={(event) => onChange({ table: event.target.value })}
        placeholder="customers or sales.customers"
        error={errors['sql.table']}
        autoComplete="off"
        spellCheck={false}
      />
      <SegmentedControl
        label="Write"
        value={sql.mode}
        options={MODE_OPTIONS}
        onChange={(mode) => onChange({ mode })}
        hint={
          sql.mode === 'insert'
            ? 'Every record becomes a new row.'
            : 'A row with the same key columns is updated; otherwise a new row is inserted.'
        }
      />
      {sql.mode === 'upsert' ? (
        <TextField
          label="Key columns"
          name="keyColumns"
          value={sql.keyColumns}
          onChange={(event) => onChange({ keyColumns: event.target.value })}
          placeholder="id"
          hint="A unique key of the table, comma-separated: each must be a mapped column."
          error={errors['sql.keyColumns'] ?? errors['sql.keyColumns.0']}
          autoComplete="off"
          spellCheck={false}
        />
      ) : null}
      <div className={formStyles.stack}>
        <span className={formStyles.groupLabel}>Columns</span>
        <p className={formStyles.muted}>
          Each column gets a field of the record (dot-separated for nested fields, e.g. customer.email).
        </p>
        <PairRows
          rows={sql.columns}
          onChange={(columns) => onChange({ columns })}
          first={{ key: 'column', label: 'column', placeholder: 'email' }}
          second={{ key: 'field', label: 'field', placeholder: 'customer.email' }}
          between="←"
          item="Column"
          addLabel="Add column"
          errors={mappingErrors}
        />
        {errors['sql.columns'] ? (
          <p className={formStyles.rowError} role="alert">
            {errors['sql.columns']}
          </p>
        ) : null}
      </div>
      <TextField
        label="Batch size"
        name="batchSize"
        inputMode="numeric"
        value={sql.batchSize}
        onChange={(event) => onChange({ batchSize: event.target.value })}
        hint="Rows per statement and transaction, 1 to 5000."
        error={errors['sql.batchSize']}
        autoComplete="off"
      />
    </>
  );
}
