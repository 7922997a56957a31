import { z } from 'zod';
import { AppError } from '../../errors.ts';

/**
 * Cursors are opaque to clients: base64url of where the previous page ended. Runs page by
 * (createdAt, id), newest first, as their indexes are; a run's failed records by id (uuid v7
 * ids sort by time), oldest first.
 */

export interface RunPosition {
  createdAt: Date;
  id: string;
}

const RunCursor = z.tuple([z.iso.datetime(), z.uuid()]);

export function encodeRunCursor(run: RunPosition): string {
  return encode([run.createdAt.toISOString(), run.id]);
}

export function decodeRunCursor(cursor: string): RunPosition {
  const parsed = RunCursor.safeParse(decode(cursor));
  if (!parsed.success) throw notACursor();
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
}

export function encodeIdCursor(row: { id: string }): string {
  return encode(row.id);
}

export function decodeIdCursor(cursor: string): string {
  const parsed = z.uuid().safeParse(decode(cursor));
  if (!parsed.success) throw notACursor();
  return parsed.data;
}

/** One more row than asked tells whether there is a next page. */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  view: (row: Row) => Item,
  cursorOf: (row: Row) => string,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(view), nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function notACursor(): AppError {
  const message = 'Not a cursor from a previous page';
  return new AppError('validation_failed', `querystring.cursor: ${message}`, [
    { path: 'querystring.cursor', message },
  ]);
}
