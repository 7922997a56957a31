'use client';

import { CodeField } from '@/components/code-editor';
import { TextField } from '@/components/field';
import { SegmentedControl } from '@/components/segmented-control';
import { MethodPathFields, NamedValueRows } from '@/features/resources/request-fields';
import type { FieldErrors } from '@/lib/form-errors';
import type { ImportDraft } from './import-draft';

type Http = ImportDraft['http'];

const MODE_OPTIONS = [
  { value: 'record', label: 'One request per record' },
  { value: 'batch', label: 'Batched' },
] as const;

/** Method, path, per record or batched, the body template and extra headers. */
export function ImportHttpFields({
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
        methods={['POST', 'PUT', 'PATCH'] as const}
        method={http.method}
        path={http.path}
        onChange={onChange}
        errors={errors}
        placeholder={http.mode === 'record' ? '/v1/customers/{{record.id}}' : '/v1/customers/bulk'}
        hint={
          http.mode === 'record'
            ? "After the connection's base URI; {{record.field}} puts in a field of the record."
            : "After the connection's base URI."
        }
      />
      <SegmentedControl
        label="Requests"
        value={http.mode}
        options={MODE_OPTIONS}
        onChange={(mode) => onChange({ mode })}
        hint={
          http.mode === 'record'
            ? 'Each record is sent in a request of its own.'
            : 'Records are sent together, as a JSON array, up to the batch size per request.'
        }
      />
      {http.mode === 'batch' ? (
        <TextField
          label="Batch size"
          name="batchSize"
          inputMode="numeric"
          value={http.batchSize}
          onChange={(event) => onChange({ batchSize: event.target.value })}
          hint="Records per request, 1 to 1000."
          error={errors['http.batchSize']}
          autoComplete="off"
        />
      ) : null}
      <CodeField
        label="Body template"
        optional
        value={http.bodyTemplate}
        onChange={(bodyTemplate) => onChange({ bodyTemplate })}
        error={errors['http.bodyTemplate']}
        rows={6}
        placeholder={http.mode === 'record' ? '{ "customer": "{{record}}" }' : '{ "items": "{{records}}" }'}
        hint={
          <>
            Empty: the body is the {http.mode === 'record' ? 'record' : 'array of records'} as JSON. A
            template is JSON in which <code>"{'{{record}}'}"</code>, <code>"{'{{records}}'}"</code> and{' '}
            <code>"{'{{record.field}}'}"</code> become those values as JSON, and <code>{'{{run.id}}'}</code>{' '}
            the run's id.
          </>
        }
      />
      <NamedValueRows
        label="Headers"
        item="Header"
        rows={http.headers}
        onChange={(headers) => onChange({ headers })}
        placeholders={['X-Tenant', 'acme']}
      />
    </>
  );
}
