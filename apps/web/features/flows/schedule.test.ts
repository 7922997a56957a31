import { describe, expect, it } from 'vitest';
import { describeSchedule, formatNextRun } from './schedule';

describe('describeSchedule', () => {
  it('says Manual without a schedule', () => {
    expect(describeSchedule(null)).toBe('Manual');
    expect(describeSchedule('  ')).toBe('Manual');
  });

  it('reads minutes and hours', () => {
    expect(describeSchedule('* * * * *')).toBe('Every minute');
    expect(describeSchedule('*/15 * * * *')).toBe('Every 15 minutes');
    expect(describeSchedule('0,15,30,45 * * * *')).toBe('Every hour at :00, :15, :30 and :45');
    expect(describeSchedule('5 * * * *')).toBe('Every hour at :05');
    expect(describeSchedule('30 */6 * * *')).toBe('Every 6 hours at :30');
  });

  it('reads days, weekdays and months', () => {
    expect(describeSchedule('30 2 * * *')).toBe('Every day at 02:30');
    expect(describeSchedule('0 8,17 * * *')).toBe('Every day at 08:00 and 17:00');
    expect(describeSchedule('0 8 * * 1-5')).toBe('Weekdays at 08:00');
    expect(describeSchedule('0 9 * * 1')).toBe('Mondays at 09:00');
    expect(describeSchedule('0 9 * * 1,3')).toBe('Mondays and Wednesdays at 09:00');
    expect(describeSchedule('0 9 * * 7')).toBe('Sundays at 09:00');
    expect(describeSchedule('0 6 1 * *')).toBe('Monthly on day 1 at 06:00');
  });

  it('shows what it cannot put in a few words as the expression', () => {
    expect(describeSchedule('0 9 1-7 * 1')).toBe('0 9 1-7 * 1');
    expect(describeSchedule('*/5 9-17 * * 1-5')).toBe('*/5 9-17 * * 1-5');
    expect(describeSchedule('nonsense')).toBe('nonsense');
  });
});

describe('formatNextRun', () => {
  it("shows the next run in the flow's time zone", () => {
    expect(formatNextRun('2026-11-30T01:30:00.000Z', 'Europe/Berlin')).toBe(
      'Nov 30, 2026, 2:30 AM (Europe/Berlin)',
    );
    expect(formatNextRun('2026-11-30T01:30:00.000Z', 'UTC')).toBe('Nov 30, 2026, 1:30 AM (UTC)');
  });
});
