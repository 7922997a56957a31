/**
 * What `FlowRun.cursor` holds between pages: where the export goes on (`next`, the export's own
 * cursor), and for incremental SQL exports the value the run started after (`from`) and the
 * largest key read so far (`lastValue`), so a resumed run knows both.
 */
export interface RunCursor {
  next: unknown;
  from: string | number | null;
  lastValue: string | number | null;
}

export type KeyValue = string | number | null;

export function runCursorOf(stored: unknown): RunCursor | null {
  if (!stored || typeof stored !== 'object' || !('next' in stored)) return null;
  const cursor = stored as Partial<RunCursor>;
  return { next: cursor.next ?? null, from: keyValue(cursor.from), lastValue: keyValue(cursor.lastValue) };
}

export function keyValue(value: unknown): KeyValue {
  return typeof value === 'string' || typeof value === 'number' ? value : null;
}

/** The larger of two keys; pages come in key order, so for non-numbers the later one wins. */
export function largerKey(current: KeyValue, next: KeyValue | undefined): KeyValue {
  if (next === null || next === undefined) return current;
  if (current === null) return next;
  if (typeof current === 'number' && typeof next === 'number') return Math.max(current, next);
  return next;
}
