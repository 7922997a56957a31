'use client';

import { SelectField, TextField } from '@/components/field';
import { formStyles } from '@/components/form-layout';
import { PairRows } from '@/components/pair-rows';
import type { FieldErrors } from '@/lib/form-errors';

/** Method and path of an export's or import's HTTP requests, side by side. */
export function MethodPathFields<Method extends string>({
  methods,
  method,
  path,
  onChange,
  errors,
  placeholder,
  hint,
}: {
  methods: readonly Method[];
  method: Method;
  path: string;
  onChange: (patch: { method?: Method; path?: string }) => void;
  errors: FieldErrors;
  placeholder: string;
  hint: string;
}) {
  return (
    <div className={formStyles.methodPath}>
      <SelectField
        label="Method"
        name="method"
        value={method}
        onChange={(event) => onChange({ method: event.target.value as Method })}
      >
        {methods.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Path"
        name="path"
        value={path}
        onChange={(event) => onChange({ path: event.target.value })}
        placeholder={placeholder}
        hint={hint}
        error={errors['http.path']}
        autoComplete="off"
        spellCheck={false}
      />
    </div>
  );
}

interface NamedValue {
  name: string;
  value: string;
}

/** Query parameters or headers: name and value rows under a label, optional. */
export function NamedValueRows({
  label,
  item,
  rows,
  onChange,
  placeholders,
}: {
  /** "Query parameters". */
  label: string;
  /** "Parameter": names each row's inputs and the Add button. */
  item: string;
  rows: NamedValue[];
  onChange: (rows: NamedValue[]) => void;
  placeholders: [string, string];
}) {
  const errors = rows.map((row) =>
    row.name.trim() === '' && row.value !== '' ? `Enter the ${item.toLowerCase()} name` : undefined,
  );
  return (
    <div className={formStyles.stack}>
      <span className={formStyles.groupLabel}>
        {label} <span className={formStyles.optionalNote}>(optional)</span>
      </span>
      <PairRows
        rows={rows}
        onChange={onChange}
        first={{ key: 'name', label: 'name', placeholder: placeholders[0] }}
        second={{ key: 'value', label: 'value', placeholder: placeholders[1] }}
        item={item}
        addLabel={`Add ${item.toLowerCase()}`}
        errors={errors}
      />
    </div>
  );
}
