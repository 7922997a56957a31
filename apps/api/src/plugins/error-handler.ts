import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode } from '../errors.ts';
import { isDatabaseUnavailable } from '../lib/database-errors.ts';
import { isRedisUnavailable } from '../scale/redis.ts';

/** The one place that turns any error into `{ error: { code, message, requestId } }`. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler(sendError);

    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: {
          code: 'not_found',
          message: `No route ${request.method} ${request.url.split('?')[0]}`,
          requestId: request.id,
        },
      }),
    );
  },
  { name: 'error-handler' },
);

/**
 * Answers an error as `{ error: { code, message, requestId, issues? } }`: for every route, and
 * (as Fastify's `frameworkErrors`) for a URL that cannot be routed, such as `/v1/agents/%zz`.
 */
export function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(error);
  const summary = { code: appError.code, status: appError.status };
  // An error the code threw on purpose (an agent offline: 503) is a line; anything else, with its stack.
  if (appError.status >= 500 && error !== appError) request.log.error({ err: error }, 'request failed');
  else if (appError.status >= 500) request.log.warn(summary, appError.message);
  else request.log.info(summary, appError.message);
  if (appError.retryAfterSeconds) reply.header('retry-after', String(appError.retryAfterSeconds));
  return reply.status(appError.status).send({
    error: {
      code: appError.code,
      message: appError.message,
      requestId: request.id,
      ...(appError.issues ? { issues: appError.issues } : {}),
    },
  });
}

const FASTIFY_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'bad_request',
  429: 'rate_limited',
};

function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const issues = error.validation.map((issue) => ({
      path: [where, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
      message: issue.message ?? 'Invalid value',
    }));
    const first = issues[0];
    return new AppError(
      'validation_failed',
      first ? `${first.path}: ${first.message}` : 'Invalid request',
      issues,
    );
  }
  if (isUniqueViolation(error))
    return new AppError('conflict', 'A resource with these values already exists');
  if (isDatabaseUnavailable(error))
    return new AppError('unavailable', 'The database is not reachable; try again in a moment');
  if (isRedisUnavailable(error))
    return new AppError('unavailable', 'Redis is not reachable; try again in a moment');
  const status = error.statusCode;
  if (status && status < 500)
    return new AppError(FASTIFY_STATUS_CODES[status] ?? 'bad_request', error.message);
  // 5xx: the details go to the log only.
  return new AppError(
    'internal',
    'Something went wrong on our side; the request id identifies it in the logs',
  );
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error as { code: unknown }).code === 'P2002'
  );
}
