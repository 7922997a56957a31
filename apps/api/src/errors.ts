/** Every error the API answers with has one of these codes; the code decides the HTTP status. */
export const ERROR_STATUS = {
  validation_failed: 400,
  bad_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  unknown_environment: 404,
  conflict: 409,
  /** Deleting a resource that others use; the message names them. */
  in_use: 409,
  /** A flow that has a queued or running run cannot be run again or deleted. */
  run_in_progress: 409,
  run_finished: 409,
  /** The account already uses multiple environments: the migration ran, or was never needed. */
  already_migrated: 409,
  /** Deleting an environment that still holds resources, without `cascade`; the message counts them. */
  environment_not_empty: 409,
  /** An environment holds at most so many resources of a type (see modules/environments/limits.ts). */
  limit_reached: 409,
  payload_too_large: 413,
  /** A well-formed body that names a resource that is missing or in another environment. */
  invalid_reference: 422,
  /** Export/import settings of the wrong kind for the connection (`http` vs `sql`). */
  invalid_settings: 422,
  script_invalid: 422,
  invalid_schedule: 422,
  upgrade_required: 426,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  /** Sent as `Retry-After` (seconds) with the answer: for `rate_limited` and `unavailable`. */
  retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'Your role does not allow this') => new AppError('forbidden', message);
/** 429 with `Retry-After`: the caller used up its attempts until the window ends. */
export function tooManyAttempts(message: string, retryAfterMs: number): AppError {
  const error = new AppError('rate_limited', message);
  error.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return error;
}
export const conflict = (message: string) => new AppError('conflict', message);
