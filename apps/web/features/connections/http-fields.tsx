'use client';

import type { ConnectionMode } from '@outpost/protocol/rest/connections';
import { useEffect, useState } from 'react';
import { Button } from '@/components/button';
import { controlClassName, TextField } from '@/components/field';
import { CloseIcon, PlusIcon } from '@/components/icons';
import type { ConnectionDraft, FieldErrors } from './connection-draft';
import styles from './connections.module.css';
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
      <div className={styles.stack}>
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
        className={styles.details}
        open={headersOpen}
        onToggle={(event) => setHeadersOpen(event.currentTarget.open)}
      >
        <summary>
          Headers <span className={styles.optionalNote}>(optional)</span>
          {http.headers.length > 0 ? <span className={styles.count}>{http.headers.length}</span> : null}
        </summary>
        <div className={styles.detailsBody}>
          <p className={styles.muted}>
            Sent with every request, e.g. a tenant or API version. Not for credentials: use Authentication.
          </p>
          {http.headers.map((row, index) => (
            // Rows have no identity of their own (inputs are controlled, so an index key is safe); the
            // index is also what the API's issue paths name.
            <div key={index} className={styles.headerRow}>
              <input
                className={controlClassName}
                aria-label={`Header ${index + 1} name`}
                aria-invalid={headerErrors[index] ? true : undefined}
                placeholder="X-Tenant"
                value={row.name}
                spellCheck={false}
                onChange={(event) =>
                  onChange({
                    headers: http.headers.map((header, at) =>
                      at === index ? { ...header, name: event.target.value } : header,
                    ),
                  })
                }
              />
              <input
                className={controlClassName}
                aria-label={`Header ${index + 1} value`}
                placeholder="acme"
                value={row.value}
                spellCheck={false}
                onChange={(event) =>
                  onChange({
                    headers: http.headers.map((header, at) =>
                      at === index ? { ...header, value: event.target.value } : header,
                    ),
                  })
                }
              />
              <Button
                size="small"
                variant="ghost"
                aria-label={`Remove header ${index + 1}`}
                onClick={() => onChange({ headers: http.headers.filter((_, at) => at !== index) })}
              >
                <CloseIcon size={14} />
              </Button>
              {headerErrors[index] ? (
                <p className={styles.rowError} role="alert">
                  {headerErrors[index]}
                </p>
              ) : null}
            </div>
          ))}
          <div>
            <Button
              size="small"
              onClick={() => onChange({ headers: [...http.headers, { name: '', value: '' }] })}
            >
              <PlusIcon size={14} />
              Add header
            </Button>
          </div>
        </div>
      </details>
    </>
  );
}
