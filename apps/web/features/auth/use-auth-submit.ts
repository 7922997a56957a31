'use client';

import type { Me } from '@outpost/protocol/rest/accounts';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { z } from 'zod';
import { ApiError, apiRequest, errorMessage } from '@/lib/api';
import { issuesToFieldErrors } from '@/lib/form-errors';
import { afterSignInPath } from '@/lib/paths';

/**
 * Validates a sign-in or sign-up form with the API's own schema, posts it and lands in Production
 * (or where `?next=` pointed). Field errors sit next to their fields; anything else above the button.
 */
export function useAuthSubmit<Schema extends z.ZodType>(schema: Schema, path: string, next: string | null) {
  const router = useRouter();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  async function submit(values: unknown) {
    setFormError(undefined);
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      setFieldErrors(issuesToFieldErrors(parsed.error.issues));
      return;
    }
    setFieldErrors({});
    setSubmitting(true);
    try {
      await apiRequest<Me>('POST', path, { body: parsed.data });
      router.replace(afterSignInPath(next));
      // Stay "submitting" while the next page loads, so the button cannot be pressed twice.
    } catch (error) {
      setSubmitting(false);
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setFieldErrors(fields);
      if (Object.keys(fields).length === 0) setFormError(errorMessage(error));
    }
  }

  return { submit, fieldErrors, formError, submitting };
}
