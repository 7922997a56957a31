'use client';

import type { Me } from '@outpost/protocol/rest/accounts';
import { useRouter } from 'next/navigation';
import type { z } from 'zod';
import { apiRequest } from '@/lib/api';
import { afterSignInPath } from '@/lib/paths';
import { checkSchema, useFormSubmit } from '@/lib/use-form-submit';

/**
 * Validates a sign-in or sign-up form with the API's own schema, posts it and lands in Production
 * (or where `?next=` pointed). Field errors sit next to their fields; anything else above the button.
 */
export function useAuthSubmit<Schema extends z.ZodType>(schema: Schema, path: string, next: string | null) {
  const router = useRouter();
  // Stay busy while the next page loads, so the button cannot be pressed twice.
  const { submit, busy, fieldErrors, formError } = useFormSubmit({ busyAfterSave: true });

  function submitValues(values: unknown) {
    return submit(checkSchema(schema, values), async (body) => {
      await apiRequest<Me>('POST', path, { body });
      router.replace(afterSignInPath(next));
    });
  }

  return { submit: submitValues, fieldErrors, formError, submitting: busy };
}
