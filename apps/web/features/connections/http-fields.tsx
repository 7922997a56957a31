'use client';

import type { ConnectionMode } from '@outpost/protocol/rest/connections';
import { useEffect, useState } from 'react';
import { TextField } from '@/components/field';
import { formStyles } from '@/components/form-layout';
import { PairRows } from '@/components/pair-rows';
import type { ConnectionDraft, FieldErrors } from './connection-draft';
import { addressHint, PrivateAddressWarning } from './endpoint-hints';

type Http = ConnectionDraft['http'];

/** Base URI, test path and extra headers of an HTTP connection. */
export function HttpEndpointFields({
  http,
  mode,
  errors,
  onChange,
  onChooseOnPremise,
}: {
  http: Http;
  mode: ConnectionMode;
  errors: FieldErrors;
  onChange: (patch: Partial<Http>) => void;
  onChooseOnPremise?: () => void;
}) {
  const headerErrors = http.headers.map((_, index) => errors[`http.headers.${index}`]);
  const [headersOpen, setHeadersOpen] = useState(http.headers.length > 0);
  // An API complaint about a header must be seen.
  const headerInvalid = headerErrors.some(Boolean);
  useEffect(() => {
    if (headerInvalid) setHeadersOpen(true);
  }, [headerInvalid]);
  return (
    <>
      <div className={formStyles.stack}>
        <TextField
          label="Base URI"
          name="baseUri"
          value={http.baseUri}
          onChange={(event) => onChange({ baseUri: event.target.value })}
          placeholder={mode === 'ON_PREMISE' ? 'http://localhost:8080' : 'https://erp.example.com'}
          hint={addressHint(mode, 'base URI')}
          error={errors['http.baseUri']}
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
        />
        {errors['http.baseUri'] ? null : (
          <PrivateAddressWarning mode={mode} value={http.baseUri} onChooseOnPremise={onChooseOnPremise} />
        )}
      </div>
      <TextField
        label="Test path"
        name="testPath"
        value={http.testPath}
        onChange={(event) => onChange({ testPath: event.target.value })}
        placeholder="/health"
        hint="Test connection requests it with GET, after the base URI."
        error={errors['http.testPath']}
        autoComplete="off"
        spellCheck={false}
      />
      <details
        className={formStyles.details}
        open={headersOpen}
        onToggle={(event) => setHeadersOpen(event.currentTarget.open)}
      >
        <summary>
          Headers <span className={formStyles.optionalNote}>(optional)</span>
          {http.headers.length > 0 ? <span className={formStyles.count}>{http.headers.length}</span> : null}
        </summary>
        <div className={formStyles.detailsBody}>
          <p className={formStyles.muted}>
            Sent with every request, e.g. a tenant or API version. Not for credentials: use Authentication.
          </p>
          <PairRows
            rows={http.headers}
            onChange={(headers) => onChange({ headers })}
            first={{ key: 'name', label: 'name', placeholder: 'X-Tenant' }}
            second={{ key: 'value', label: 'value', placeholder: 'acme' }}
            item="Header"
            addLabel="Add header"
            errors={headerErrors}
          />
        </div>
      </details>
    </>
  );
}
