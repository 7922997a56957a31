/** A zod issue, as far as a form needs it. */
interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/** The first message for each top-level field: `{ email: 'Enter a valid e-mail address' }`. */
export function issuesToFieldErrors(issues: readonly Issue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    if (field && !(field in errors)) errors[field] = issue.message;
  }
  return errors;
}
