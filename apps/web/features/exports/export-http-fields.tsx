'use client';

import { CodeField } from '@/components/code-editor';
import { TextField } from '@/components/field';
import { MethodPathFields, NamedValueRows } from '@/features/resources/request-fields';
import type { FieldErrors } from '@/lib/form-errors';
import type { ExportDraft } from './export-draft';

type Http = ExportDraft['http'];

/** Method, path, query parameters, (POST) body and where the records are in each response. */
export function ExportHttpFields({
  http,
  errors,
  onChange,
}: {
  http: Http;
  errors: FieldErrors;
  onChange: (patch: Partial<Http>) => void;
}) {
  return (
    <>
      <MethodPathFields
        methods={['GET', 'POST'] as const}
        method={http.method}
        path={http.path}
        onChange={onChange}
        errors={errors}
        placeholder="/v1/orders"
        hint="After the connection's base URI."
      />
      <NamedValueRows
        label="Query parameters"
        item="Parameter"
        rows={http.query}
        onChange={(query) => onChange({ query })}
        placeholders={['status', 'open']}
      />
      {http.method === 'POST' ? (
        <CodeField
          label="Body"
          optional
          hint="JSON sent with every request."
          value={http.body}
          onChange={(body) => onChange({ body })}
          error={errors['http.body']}
          rows={5}
          placeholder={'{ "status": "open" }'}
        />
      ) : null}
      <TextField
        label="Records path"
        name="recordsPath"
        value={http.recordsPath}
        onChange={(event) => onChange({ recordsPath: event.target.value })}
        placeholder="data.items"
        hint="Where the array of records is in each response, dot-separated. Empty: the body is the array."
        error={errors['http.recordsPath']}
        autoComplete="off"
        spellCheck={false}
      />
    </>
  );
}
