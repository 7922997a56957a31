import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';

/**
 * PostgreSQL cannot store a NUL character in text, so a request holding one anywhere (a name, a
 * description, a script, a search) would fail at the database with a 500. It is refused here,
 * for every route, as a validation error naming where it is.
 */
export const nulGuardPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('preValidation', async (request) => {
      for (const [where, value] of [
        ['body', request.body],
        ['querystring', request.query],
        ['params', request.params],
      ] as const) {
        const path = pathOfNul(value, where);
        if (path) {
          const message = 'must not contain a NUL character';
          throw new AppError('validation_failed', `${path}: ${message}`, [{ path, message }]);
        }
      }
    });
  },
  { name: 'nul-guard' },
);

/** Where in a parsed JSON value (or query/params object) a string, or a key, holds U+0000. */
function pathOfNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\0') ? path : null;
  if (typeof value !== 'object' || value === null || depth > 64) return null;
  // Parsed JSON and query objects only: a raw body (bytes, a stream) is not text of ours.
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) return path;
    const found = pathOfNul(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}
