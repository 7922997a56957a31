import { Cron } from 'croner';
import { AppError } from '../../errors.ts';

/**
 * A flow's schedule: a five-field cron expression (minute hour day-of-month month day-of-week,
 * or a nickname such as `@daily`) read in an IANA time zone. The REST routes check it at save;
 * the scheduler asks `nextRunAt` when to queue the next run.
 */

function cronOf(schedule: string, timezone: string): Cron {
  return new Cron(schedule, { timezone, paused: true, mode: '5-part' });
}

/**
 * When a checked schedule fires next, strictly after `from`. Throws for a schedule that never
 * fires again (`checkSchedule` refuses those at save).
 */
export function nextRunAt(schedule: string, timezone: string, from: Date): Date {
  const next = cronOf(schedule, timezone).nextRun(from);
  if (!next) throw new Error(`The schedule "${schedule}" never fires after ${from.toISOString()}`);
  return next;
}

/** Refuses, with 422 `invalid_schedule` naming `schedule` or `timezone`, what the scheduler could not use. */
export function checkSchedule(schedule: string | null, timezone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw invalidSchedule('timezone', `"${timezone}" is not an IANA time zone such as Europe/Berlin or UTC`);
  }
  if (schedule === null) return;
  let cron: Cron;
  try {
    cron = cronOf(schedule, timezone);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    throw invalidSchedule(
      'schedule',
      `Not a five-field cron expression (minute hour day month weekday): ${reason}`,
    );
  }
  if (!cron.nextRun(new Date()))
    throw invalidSchedule('schedule', `"${schedule}" never fires: no date matches it`);
}

function invalidSchedule(path: 'schedule' | 'timezone', message: string): AppError {
  return new AppError('invalid_schedule', `${path}: ${message}`, [{ path, message }]);
}
