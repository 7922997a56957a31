'use client';

import { type ReactNode, useId } from 'react';
import styles from './segmented-control.module.css';

export interface SegmentedOption<T extends string> {
  value: T;
  label: ReactNode;
  icon?: ReactNode;
}

/**
 * One of a few choices side by side, e.g. Mode: Cloud / On-premise. Native radio buttons under the
 * segments: arrow keys move between them and screen readers announce a radio group.
 */
export function SegmentedControl<T extends string>({
  label,
  value,
  options,
  onChange,
  hint,
  disabled,
  name,
}: {
  label: ReactNode;
  value: T;
  options: readonly SegmentedOption<T>[];
  onChange: (value: T) => void;
  /** Under the segments, e.g. what the chosen option means. */
  hint?: ReactNode;
  disabled?: boolean;
  /** The radio group's name; unique by default. */
  name?: string;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <fieldset className={styles.fieldset} aria-describedby={hintId} disabled={disabled}>
      <legend className={styles.legend}>{label}</legend>
      <div className={styles.track}>
        {options.map((option) => (
          <label
            key={option.value}
            className={[styles.segment, option.value === value ? styles.checked : ''].join(' ')}
          >
            <input
              type="radio"
              className={styles.radio}
              name={name ?? id}
              value={option.value}
              checked={option.value === value}
              onChange={() => onChange(option.value)}
            />
            {option.icon}
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {hint ? (
        <div className={styles.hint} id={hintId}>
          {hint}
        </div>
      ) : null}
    </fieldset>
  );
}
