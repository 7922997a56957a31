'use client';

import { CreateAgentBody } from '@outpost/protocol/rest/agents';
import { Field, TextField } from '@/components/field';
import { ApiError, errorMessage } from '@/lib/api';
import { issuesToFieldErrors } from '@/lib/form-errors';
import styles from './agents.module.css';

const DESCRIPTION_MAX = 500;

/** Name and description of an agent, for creating and for editing. */
export function AgentFields({
  name,
  description,
  errors,
  onNameChange,
  onDescriptionChange,
}: {
  name: string;
  description: string;
  errors: Record<string, string>;
  onNameChange: (name: string) => void;
  onDescriptionChange: (description: string) => void;
}) {
  return (
    <>
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={(event) => onNameChange(event.target.value)}
        placeholder="Warehouse network"
        hint="The network or machine it serves: connections pick the agent by this name."
        error={errors.name}
        autoComplete="off"
        maxLength={100}
        required
        autoFocus
      />
      <Field
        label="Description"
        optional
        hint={
          <span className={styles.hintWithCount}>
            <span>What it reaches, e.g. “SQL Server on VM1 and the ERP API on VM2”.</span>
            <span aria-hidden="true">
              {description.length}/{DESCRIPTION_MAX}
            </span>
          </span>
        }
        error={errors.description}
      >
        {({ className, ...control }) => (
          <textarea
            {...control}
            className={`${className} ${styles.textarea}`}
            name="description"
            value={description}
            onChange={(event) => onDescriptionChange(event.target.value)}
            maxLength={DESCRIPTION_MAX}
            rows={3}
          />
        )}
      </Field>
    </>
  );
}

/** Client-side check before the request; the API checks again and its messages win. */
export function validateAgentFields(fields: { name: string; description: string }): Record<string, string> {
  const parsed = CreateAgentBody.safeParse(fields);
  return parsed.success ? {} : issuesToFieldErrors(parsed.error.issues);
}

/**
 * Where the API's answer to a failed save belongs: field messages next to their fields, a name
 * already taken (409) next to the name, anything else above the buttons.
 */
export function saveErrors(error: unknown): { fields: Record<string, string>; form?: string } {
  if (error instanceof ApiError) {
    const fields = error.fieldErrors();
    if (Object.keys(fields).length > 0) return { fields };
    if (error.status === 409) return { fields: { name: error.message } };
  }
  return { fields: {}, form: errorMessage(error) };
}
