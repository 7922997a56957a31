import { timingSafeEqual } from 'node:crypto';

/** Compares two SHA-256 hex digests in constant time. */
export function digestsMatch(stored: string, presented: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(presented, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
