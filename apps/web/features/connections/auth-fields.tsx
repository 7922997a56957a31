'use client';

import type { Connection, ConnectionMode } from '@outpost/protocol/rest/connections';
import type { ReactNode } from 'react';
import { SelectField, TextField } from '@/components/field';
import { formStyles } from '@/components/form-layout';
import { SecretField } from '@/components/secret-field';
import {
  AUTH_LABELS,
  type AuthDraft,
  type AuthType,
  type ClientAuth,
  type ConnectionDraft,
  type FieldErrors,
  type SecretField as SecretPath,
  secretIsStored,
} from './connection-draft';

const CLIENT_AUTH_LABELS: Record<ClientAuth, string> = {
  client_secret_basic: 'Authorization header (Basic)',
  client_secret_post: 'Request body',
};

/** The auth type and the fields it needs; secrets are write-only. */
export function AuthFields({
  draft,
  saved,
  errors,
  onChange,
  connect,
}: {
  draft: ConnectionDraft;
  saved: Connection | undefined;
  errors: FieldErrors;
  onChange: (patch: Partial<AuthDraft>) => void;
  /** The Connect block of an authorization-code connection. */
  connect: ReactNode;
}) {
  const { auth } = draft.http;
  const stored = (field: SecretPath) => secretIsStored(saved, draft, field);
  const text = (field: keyof AuthDraft) => ({
    name: field,
    value: auth[field],
    onChange: (event: { target: { value: string } }) => onChange({ [field]: event.target.value }),
    error: errors[`http.auth.${field}`],
    autoComplete: 'off',
    spellCheck: false,
  });

  return (
    <>
      <SelectField
        label="Authentication"
        name="authType"
        value={auth.type}
        onChange={(event) => onChange({ type: event.target.value as AuthType })}
        hint={authHint(auth.type, draft.mode)}
      >
        {Object.entries(AUTH_LABELS).map(([type, label]) => (
          <option key={type} value={type}>
            {label}
          </option>
        ))}
      </SelectField>

      {auth.type === 'basic' ? (
        <div className={formStyles.pair}>
          <TextField label="Username" {...text('username')} />
          <SecretField label="Password" {...text('password')} stored={stored('http.auth.password')} />
        </div>
      ) : null}

      {auth.type === 'bearer' ? (
        <SecretField label="Token" {...text('token')} stored={stored('http.auth.token')} />
      ) : null}

      {auth.type === 'api_key' ? (
        <div className={formStyles.pair}>
          <TextField label="Header" placeholder="X-API-Key" {...text('header')} />
          <SecretField label="API key" {...text('value')} stored={stored('http.auth.value')} />
        </div>
      ) : null}

      {auth.type === 'oauth2_authorization_code' ? (
        <TextField
          label="Authorize URL"
          placeholder="https://login.example.com/oauth2/authorize"
          hint="Where Connect sends you to sign in and allow Outpost."
          inputMode="url"
          {...text('authorizeUrl')}
        />
      ) : null}

      {auth.type === 'oauth2_client_credentials' || auth.type === 'oauth2_authorization_code' ? (
        <>
          <TextField
            label="Token URL"
            placeholder={
              draft.mode === 'ON_PREMISE'
                ? 'http://localhost:9000/oauth2/token'
                : 'https://login.example.com/oauth2/token'
            }
            hint={
              draft.mode === 'ON_PREMISE'
                ? "The agent exchanges the tokens, so an authorization server on the agent's network works: it is never exposed to the internet."
                : undefined
            }
            inputMode="url"
            {...text('tokenUrl')}
          />
          <div className={formStyles.pair}>
            <TextField label="Client ID" {...text('clientId')} />
            <SecretField
              label="Client secret"
              {...text('clientSecret')}
              stored={stored('http.auth.clientSecret')}
            />
          </div>
          <div className={formStyles.pair}>
            <TextField label="Scope" optional placeholder="read write" {...text('scope')} />
            <SelectField
              label="Client authentication"
              name="clientAuth"
              value={auth.clientAuth}
              onChange={(event) => onChange({ clientAuth: event.target.value as ClientAuth })}
              hint="How the client ID and secret reach the token URL."
            >
              {Object.entries(CLIENT_AUTH_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </SelectField>
          </div>
        </>
      ) : null}

      {auth.type === 'oauth2_authorization_code' ? connect : null}
    </>
  );
}

function authHint(type: AuthType, mode: ConnectionMode): string | undefined {
  switch (type) {
    case 'none':
      return 'Requests carry no credentials.';
    case 'basic':
      return 'Sent as an Authorization: Basic header.';
    case 'bearer':
      return 'Sent as an Authorization: Bearer header.';
    case 'api_key':
      return 'Sent in a header of your choice.';
    case 'oauth2_client_credentials':
      return `Outpost gets a token with the client's own credentials${mode === 'ON_PREMISE' ? ', through the agent' : ''}, and renews it before it expires.`;
    case 'oauth2_authorization_code':
      return 'After saving, Connect: you sign in at the authorization server once; Outpost keeps and refreshes the token.';
  }
}
