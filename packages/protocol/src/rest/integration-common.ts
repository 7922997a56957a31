import { z } from 'zod';

/**
 * A path into a JSON value, dot-separated (`data.items`, `links.next`, `customer.0.id`); empty
 * means the value itself.
 */
export const JsonPath = z
  .string()
  .trim()
  .max(500)
  .regex(/^([^.\s]+(\.[^.\s]+)*)?$/, 'a dot-separated path such as data.items');
export type JsonPath = z.infer<typeof JsonPath>;

/** A SQL identifier, optionally schema-qualified (`orders`, `sales.orders`); quoted when used. */
export const SqlIdentifier = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/, 'a table or column name');
export type SqlIdentifier = z.infer<typeof SqlIdentifier>;

/** A request path relative to the connection's base URI. */
export const RelativePath = z.string().max(2000).regex(/^\//, 'a path starting with /');

export const SqlParam = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type SqlParam = z.infer<typeof SqlParam>;

export const Description = z.string().trim().max(1000, 'Description is at most 1000 characters');

/** A resource another one uses: `{ id, name }`. */
export const ResourceRef = z.object({ id: z.uuid(), name: z.string() });
export type ResourceRef = z.infer<typeof ResourceRef>;

/** Exports and imports: exactly one of `http` (HTTP connections) or `sql` (PostgreSQL, MySQL). */
export function oneSettingsKind(body: { http?: unknown; sql?: unknown }): boolean {
  return (body.http === undefined) !== (body.sql === undefined);
}
export const ONE_SETTINGS_KIND = {
  path: ['http'],
  message: 'Give `http` settings for an HTTP connection, or `sql` settings for a database connection',
};
