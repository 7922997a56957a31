'use client';

import type { Connection, ConnectionType } from '@outpost/protocol/rest/connections';
import { Field, SelectField, TextField } from '@/components/field';
import { formStyles } from '@/components/form-layout';
import { SecretField } from '@/components/secret-field';
import {
  type ConnectionDraft,
  DEFAULT_PORTS,
  type FieldErrors,
  type SqlTls,
  secretIsStored,
} from './connection-draft';
import styles from './connections.module.css';
import { addressHint, PrivateAddressWarning } from './endpoint-hints';

type Sql = ConnectionDraft['sql'];

const TLS_LABELS: Record<SqlTls, string> = {
  disable: 'Off',
  prefer: 'Prefer: TLS when the server offers it',
  require: 'Require: TLS, any certificate',
  'verify-full': 'Verify: TLS with a trusted certificate for the host',
};

/** Host, port, database, user, password and TLS of a PostgreSQL or MySQL connection. */
export function SqlFields({
  draft,
  saved,
  errors,
  onChange,
  onChooseOnPremise,
}: {
  draft: ConnectionDraft;
  saved: Connection | undefined;
  errors: FieldErrors;
  onChange: (patch: Partial<Sql>) => void;
  onChooseOnPremise?: () => void;
}) {
  const { sql, mode } = draft;
  const type = draft.type as Exclude<ConnectionType, 'HTTP'>;
  const text = (field: Exclude<keyof Sql, 'tls'>) => ({
    name: field,
    value: sql[field],
    onChange: (event: { target: { value: string } }) => onChange({ [field]: event.target.value }),
    error: errors[`sql.${field}`],
    autoComplete: 'off',
    spellCheck: false,
  });
  return (
    <>
      <div className={formStyles.stack}>
        <div className={styles.hostPort}>
          <TextField
            label="Host"
            placeholder={mode === 'ON_PREMISE' ? 'localhost' : 'db.example.com'}
            hint={addressHint(mode, 'host')}
            {...text('host')}
          />
          <TextField
            label="Port"
            inputMode="numeric"
            placeholder={String(DEFAULT_PORTS[type])}
            hint={`Default ${DEFAULT_PORTS[type]}`}
            {...text('port')}
          />
        </div>
        {errors['sql.host'] ? null : (
          <PrivateAddressWarning mode={mode} value={sql.host} onChooseOnPremise={onChooseOnPremise} />
        )}
      </div>
      <TextField label="Database" placeholder="orders" {...text('database')} />
      <div className={formStyles.pair}>
        <TextField label="User" placeholder="outpost" {...text('user')} />
        <SecretField
          label="Password"
          optional={!secretIsStored(saved, draft, 'sql.password')}
          {...text('password')}
          stored={secretIsStored(saved, draft, 'sql.password')}
        />
      </div>
      <SelectField
        label="TLS"
        name="tls"
        value={sql.tls}
        onChange={(event) => onChange({ tls: event.target.value as SqlTls })}
        hint={
          mode === 'ON_PREMISE'
            ? 'Between the agent and the database; the agent reaches Outpost over TLS either way.'
            : 'Between Outpost and the database.'
        }
      >
        {Object.entries(TLS_LABELS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </SelectField>
      {sql.tls === 'verify-full' ? (
        <Field
          label="CA certificates"
          optional
          hint="PEM certificates to trust besides the system's, e.g. your company's CA."
          error={errors['sql.ca']}
        >
          {({ className, ...control }) => (
            <textarea
              {...control}
              className={`${className} ${formStyles.textarea}`}
              name="ca"
              value={sql.ca}
              onChange={(event) => onChange({ ca: event.target.value })}
              placeholder="-----BEGIN CERTIFICATE-----"
              spellCheck={false}
              rows={4}
            />
          )}
        </Field>
      ) : null}
    </>
  );
}
