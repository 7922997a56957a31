/**
 * A flow's schedule in words, for the list and the builder: "Every 15 minutes", "Every day at
 * 02:30", "Weekdays at 08:00". Five-field cron (minute hour day-of-month month day-of-week); what
 * has no short description is shown as the expression itself. The API checks the expression.
 */

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const NUMBER = /^\d+$/;
const STEP = /^\*\/(\d+)$/;

function twoDigits(value: string): string {
  return value.padStart(2, '0');
}

/** "Monday", "Mondays to Fridays"-style words for a day-of-week field; null when it is not simple. */
function daysOf(field: string): string | null {
  if (field === '1-5') return 'Weekdays';
  if (field === '0,6' || field === '6,0') return 'Weekends';
  const days = field.split(',');
  if (!days.every((day) => NUMBER.test(day) && Number(day) <= 7)) return null;
  return listOf(days.map((day) => `${DAY_NAMES[Number(day) % 7]}s`));
}

function listOf(values: string[]): string {
  return values.length === 1 ? `${values[0]}` : `${values.slice(0, -1).join(', ')} and ${values.at(-1)}`;
}

export function describeSchedule(schedule: string | null): string {
  if (schedule === null || schedule.trim() === '') return 'Manual';
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return schedule.trim();
  const [minute = '', hour = '', dayOfMonth = '', month = '', dayOfWeek = ''] = fields;
  const everyDay = dayOfMonth === '*' && month === '*';

  if (everyDay && dayOfWeek === '*' && hour === '*') {
    if (minute === '*') return 'Every minute';
    const step = STEP.exec(minute);
    if (step) return step[1] === '1' ? 'Every minute' : `Every ${step[1]} minutes`;
    const minutes = minute.split(',');
    if (minutes.every((value) => NUMBER.test(value)))
      return `Every hour at ${listOf(minutes.map((value) => `:${twoDigits(value)}`))}`;
  }
  if (!NUMBER.test(minute)) return schedule.trim();

  const hourStep = STEP.exec(hour);
  if (everyDay && dayOfWeek === '*' && hourStep) return `Every ${hourStep[1]} hours at :${twoDigits(minute)}`;

  const hours = hour.split(',');
  if (!hours.every((value) => NUMBER.test(value))) return schedule.trim();
  const times = listOf(hours.map((value) => `${twoDigits(value)}:${twoDigits(minute)}`));

  if (everyDay && dayOfWeek === '*') return `Every day at ${times}`;
  if (everyDay) {
    const days = daysOf(dayOfWeek);
    if (days) return `${days} at ${times}`;
  }
  if (month === '*' && dayOfWeek === '*' && NUMBER.test(dayOfMonth))
    return `Monthly on day ${Number(dayOfMonth)} at ${times}`;
  return schedule.trim();
}

/** When the next run is, in the flow's own time zone: "Nov 30, 2026, 2:30 AM (Europe/Berlin)". */
export function formatNextRun(iso: string, timezone: string): string {
  try {
    const when = new Intl.DateTimeFormat('en', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: timezone,
    });
    return `${when.format(new Date(iso))} (${timezone})`;
  } catch {
    // A zone this browser does not know: the API's instant, as this browser shows times.
    return new Date(iso).toLocaleString('en');
  }
}
