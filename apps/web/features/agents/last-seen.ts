// Relative import: unit tests run without the app's path aliases.
import { formatRelative } from '../../lib/format';

/** "just now", "3 min ago", then "2 hours ago", "yesterday": short enough for a table cell. */
export function lastSeen(iso: string, now: number): string {
  const minutes = Math.floor((now - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  return formatRelative(iso, now);
}
