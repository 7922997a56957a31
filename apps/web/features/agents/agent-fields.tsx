'use client';

import { CreateAgentBody } from '@outpost/protocol/rest/agents';
import { Field, TextField } from '@/components/field';
import { ApiError } from '@/lib/api';
import { type FieldErrors, issuesToFieldErrors } from '@/lib/form-errors';
import { type SaveErrors, saveErrors } from '@/lib/use-form-submit';
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
  errors: FieldErrors;
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
export function validateAgentFields(fields: { name: string; description: string }): FieldErrors {
  const parsed = CreateAgentBody.safeParse(fields);
  return parsed.success ? {} : issuesToFieldErrors(parsed.error.issues);
}

/** As any save's errors, but a name already taken (409) goes next to the name. */
export function agentSaveErrors(error: unknown): SaveErrors {
  const taken =
    error instanceof ApiError && error.status === 409 && Object.keys(error.fieldErrors()).length === 0;
  return taken ? { fields: { name: error.message } } : saveErrors(error);
}
