'use client';

import { useState } from 'react';
import type { z } from 'zod';
import { ApiError, errorMessage } from './api';
import { type FieldErrors, issuesToFieldErrors } from './form-errors';

/** A form's values after the check in the browser: the values to send, or the messages by field. */
export type Checked<Values> = { values: Values } | { errors: FieldErrors };

/** The values, unless the check found something to say about them. */
export function checkFields<Values>(errors: FieldErrors, values: Values): Checked<Values> {
  return Object.keys(errors).length > 0 ? { errors } : { values };
}

/** The values as the API's own schema reads them, or its first message per field. */
export function checkSchema<Schema extends z.ZodType>(
  schema: Schema,
  values: unknown,
): Checked<z.output<Schema>> {
  const parsed = schema.safeParse(values);
  return parsed.success ? { values: parsed.data } : { errors: issuesToFieldErrors(parsed.error.issues) };
}

/** Where the answer to a failed save is shown: next to its fields, or above the buttons. */
export interface SaveErrors {
  fields: FieldErrors;
  form?: string;
}

/** The API's field messages next to their fields; anything else above the buttons. */
export function saveErrors(error: unknown): SaveErrors {
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  return Object.keys(fields).length > 0 ? { fields } : { fields, form: errorMessage(error) };
}

export interface FormSubmitOptions {
  /** Where a failed save's messages go; {@link saveErrors} unless a form knows better. */
  errorsOf?: (error: unknown) => SaveErrors;
  /** Stay busy after a save, e.g. while the next page loads, so the button cannot be pressed twice. */
  busyAfterSave?: boolean;
}

/**
 * The state of a form that saves through the API: `busy` while it saves, messages by field and one
 * for the whole form. `submit` shows the check's messages, or saves and shows why it failed.
 */
export function useFormSubmit({ errorsOf = saveErrors, busyAfterSave = false }: FormSubmitOptions = {}) {
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();

  async function submit<Values>(checked: Checked<Values>, save: (values: Values) => Promise<void>) {
    setFormError(undefined);
    if ('errors' in checked) {
      setFieldErrors(checked.errors);
      return;
    }
    setFieldErrors({});
    setBusy(true);
    try {
      await save(checked.values);
      if (!busyAfterSave) setBusy(false);
    } catch (error) {
      setBusy(false);
      const { fields, form } = errorsOf(error);
      setFieldErrors(fields);
      setFormError(form);
    }
  }

  /** Forgets the messages, e.g. when the dialog closes. */
  function reset() {
    setFieldErrors({});
    setFormError(undefined);
  }

  return { submit, reset, busy, fieldErrors, formError };
}
