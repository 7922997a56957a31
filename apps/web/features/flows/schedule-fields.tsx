'use client';

import type { Flow } from '@outpost/protocol/rest/flows';
import { useMemo } from 'react';
import { SelectField, TextField } from '@/components/field';
import { SegmentedControl } from '@/components/segmented-control';
import { Switch } from '@/components/switch';
import type { FieldErrors } from '@/lib/form-errors';
import type { FlowDraft } from './flow-draft';
import styles from './flows.module.css';
import { describeSchedule, formatNextRun } from './schedule';

const TRIGGER_OPTIONS = [
  { value: 'manual', label: 'Manual' },
  { value: 'schedule', label: 'Schedule' },
] as const;

/** Every IANA time zone the browser knows, UTC first. */
function timezones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...new Set([current, ...known].filter((zone) => zone !== 'UTC'))];
}

/** Manual or a cron schedule (in words as it is typed, and the next run the API computed), Enabled, page size. */
export function ScheduleFields({
  draft,
  saved,
  errors,
  onChange,
}: {
  draft: FlowDraft;
  saved: Flow | undefined;
  errors: FieldErrors;
  onChange: (patch: Partial<FlowDraft>) => void;
}) {
  const zones = useMemo(() => timezones(draft.timezone), [draft.timezone]);
  const savedAsIs =
    saved !== undefined &&
    saved.schedule === (draft.trigger === 'schedule' ? draft.schedule.trim() : null) &&
    saved.timezone === draft.timezone &&
    saved.enabled === draft.enabled;
  return (
    <>
      <SegmentedControl
        label="Starts"
        value={draft.trigger}
        options={TRIGGER_OPTIONS}
        onChange={(trigger) => onChange({ trigger })}
        hint={
          draft.trigger === 'manual'
            ? 'Only when started: Run now, or the API.'
            : 'On a schedule, and with Run now whenever you like.'
        }
      />
      {draft.trigger === 'schedule' ? (
        <div className={styles.schedule}>
          <TextField
            label="Cron"
            name="schedule"
            value={draft.schedule}
            onChange={(event) => onChange({ schedule: event.target.value })}
            placeholder="30 2 * * *"
            hint={
              <>
                Minute, hour, day of month, month, day of week: <code>*/15 * * * *</code> every 15 minutes,{' '}
                <code>0 8 * * 1-5</code> weekdays at 08:00.
                <br />
                <strong data-testid="schedule-words">{describeSchedule(draft.schedule)}</strong>
                {savedAsIs && saved.nextRunAt
                  ? ` · next run ${formatNextRun(saved.nextRunAt, saved.timezone)}`
                  : null}
                {savedAsIs && !saved.enabled ? ' · not while the flow is off' : null}
              </>
            }
            error={errors.schedule}
            autoComplete="off"
            spellCheck={false}
          />
          <SelectField
            label="Time zone"
            name="timezone"
            value={draft.timezone}
            onChange={(event) => onChange({ timezone: event.target.value })}
            error={errors.timezone}
            hint="The schedule is read in it."
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </SelectField>
        </div>
      ) : null}
      <Switch
        label="Enabled"
        hint="Off: the schedule starts no runs (Run now still does)."
        checked={draft.enabled}
        onChange={(enabled) => onChange({ enabled })}
      />
      <TextField
        label="Page size"
        name="pageSize"
        inputMode="numeric"
        value={draft.pageSize}
        onChange={(event) => onChange({ pageSize: event.target.value })}
        hint="Records that move through the scripts and imports at a time, 1 to 5000."
        error={errors.pageSize}
        autoComplete="off"
      />
    </>
  );
}
