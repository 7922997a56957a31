/**
 * Why a run stopped before its end without failing, as the reason of its AbortController:
 * cancelled (someone asked), stopped (this API instance is shutting down: the run stays RUNNING
 * and is resumed later), lost (another instance claimed it: this one lets go without a word).
 */
export class RunInterrupt extends Error {
  override readonly name = 'RunInterrupt';
  constructor(readonly why: 'cancelled' | 'stopped' | 'lost' | 'ended') {
    super(`The run was ${why}`);
  }
}

export const CANCELLED = new RunInterrupt('cancelled');
export const STOPPED = new RunInterrupt('stopped');
export const LOST = new RunInterrupt('lost');
/** The run ended on its own; whatever it still had in flight (a page read ahead) can stop. */
export const ENDED = new RunInterrupt('ended');

export function interruptOf(signal: AbortSignal): RunInterrupt | null {
  return signal.aborted && signal.reason instanceof RunInterrupt ? signal.reason : null;
}

/** Settles with the promise, or rejects with the signal's reason as soon as it is aborted. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects with the signal's reason when it is aborted first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return untilAborted(
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }),
    signal,
  );
}
