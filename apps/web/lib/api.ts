import { ENVIRONMENT_HEADER } from '@outpost/protocol/rest/environments';
import { signInPath } from './paths';

/** One problem with one field of a request, e.g. `{ path: 'email', message: 'Enter a valid e-mail address' }`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Any failed API call: the API's `{ error: { code, message, requestId, issues } }`, or a network failure. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }

  /** Messages by form field: `body.email` → `email`; the first message per field wins. */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const issue of this.issues) {
      const field = issue.path.replace(/^body\.?/, '');
      if (field && !(field in errors)) errors[field] = issue.message;
    }
    return errors;
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  /** The slug of the environment the request acts in; omitted only for account-wide calls. */
  environment?: string;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Calls the API through the same-origin `/api` proxy. Adds the CSRF header to every
 * state-changing call and the environment header when one is given; answers the parsed JSON body
 * or throws an {@link ApiError}. An expired session sends the browser to the sign-in page.
 */
export async function apiRequest<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-outpost-client'] = 'web';
  if (options.environment) headers[ENVIRONMENT_HEADER] = options.environment;
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'network_error',
      'Outpost could not be reached. Check your connection and try again.',
    );
  }

  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => undefined);
  if (response.ok) return payload as T;

  const error = toApiError(response.status, payload);
  if (error.code === 'unauthenticated' && typeof window !== 'undefined') {
    window.location.assign(signInPath(window.location.pathname + window.location.search));
  }
  throw error;
}

function toApiError(status: number, payload: unknown): ApiError {
  if (isErrorBody(payload)) {
    const { code, message, requestId, issues } = payload.error;
    return new ApiError(status, code, message, requestId, issues ?? []);
  }
  return new ApiError(
    status,
    status >= 500 ? 'unavailable' : 'unexpected_response',
    status >= 500
      ? `The Outpost API is not available right now (HTTP ${status}). Try again in a moment.`
      : `Unexpected answer from the Outpost API (HTTP ${status}).`,
  );
}

interface ErrorBodyShape {
  error: { code: string; message: string; requestId: string; issues?: FieldIssue[] };
}

function isErrorBody(payload: unknown): payload is ErrorBodyShape {
  if (typeof payload !== 'object' || payload === null || !('error' in payload)) return false;
  const { error } = payload;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

/** A message for any thrown value, for toasts and inline alerts. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
