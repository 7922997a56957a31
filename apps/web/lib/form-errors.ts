/** Messages by form field: `{ email: 'Enter a valid e-mail address' }`. */
export type FieldErrors = Record<string, string>;

/** A zod issue, as far as a form needs it. */
interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/** The first message for each top-level field: `{ email: 'Enter a valid e-mail address' }`. */
export function issuesToFieldErrors(issues: readonly Issue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    if (field && !(field in errors)) errors[field] = issue.message;
  }
  return errors;
}
