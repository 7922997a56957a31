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

/**
 * Adds the first message per full path (`http.pagination.param`, `sql.columns.0.field`) to
 * `errors`, keeping what is already there: the keys the API's issues name, without `body.`.
 */
export function addIssuesByPath(errors: FieldErrors, issues: readonly Issue[]): FieldErrors {
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (path && !(path in errors)) errors[path] = issue.message;
  }
  return errors;
}

/** The schema's messages by full path, after those already in `errors` (which win). */
export function checkWithSchema(
  errors: FieldErrors,
  schema: {
    safeParse: (value: unknown) => { success: true } | { success: false; error: { issues: Issue[] } };
  },
  value: unknown,
): FieldErrors {
  const parsed = schema.safeParse(value);
  return parsed.success ? errors : addIssuesByPath(errors, parsed.error.issues);
}

/** The messages left once `fields` (and their sub-fields: `http` takes `http.path`) are edited. */
export function withoutFieldErrors(errors: FieldErrors, fields: readonly string[]): FieldErrors {
  const touched = Object.keys(errors).filter((key) =>
    fields.some((field) => key === field || key.startsWith(`${field}.`)),
  );
  if (touched.length === 0) return errors;
  const rest = { ...errors };
  for (const key of touched) delete rest[key];
  return rest;
}
