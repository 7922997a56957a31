'use client';

import type { ReactNode } from 'react';
import { Button } from './button';
import { controlClassName } from './field';
import styles from './form-layout.module.css';
import { CloseIcon, PlusIcon } from './icons';

/** One half of a row: which property of the row it edits, and how its input is named and hinted. */
export interface PairColumn<K extends string> {
  key: K;
  /** Names the input for screen readers: "Header 2 name". */
  label: string;
  placeholder?: string;
}

/**
 * Rows of two text inputs, e.g. headers (name, value), query parameters or a column mapping
 * (column ← field), with Remove per row and Add under them. Each row's error (by index, as the
 * API's issue paths name it) is shown under the row.
 */
export function PairRows<K extends string, V extends string>({
  rows,
  onChange,
  first,
  second,
  item,
  addLabel,
  between,
  errors = [],
  disabled,
}: {
  rows: readonly Record<K | V, string>[];
  onChange: (rows: Record<K | V, string>[]) => void;
  first: PairColumn<K>;
  second: PairColumn<V>;
  /** What one row is, capitalised: "Header" → "Header 1 name", "Remove header 1". */
  item: string;
  addLabel: string;
  /** Between the two inputs, e.g. ← for "column ← field". */
  between?: ReactNode;
  errors?: readonly (string | undefined)[];
  disabled?: boolean;
}) {
  const change = (index: number, key: K | V, value: string) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, [key]: value } : row)));
  const empty = { [first.key]: '', [second.key]: '' } as Record<K | V, string>;
  const input = (row: Record<K | V, string>, index: number, column: PairColumn<K> | PairColumn<V>) => (
    <input
      className={controlClassName}
      aria-label={`${item} ${index + 1} ${column.label}`}
      aria-invalid={errors[index] ? true : undefined}
      placeholder={column.placeholder}
      value={row[column.key]}
      spellCheck={false}
      disabled={disabled}
      onChange={(event) => change(index, column.key, event.target.value)}
    />
  );
  return (
    <>
      {rows.map((row, index) => (
        // Rows have no identity of their own (inputs are controlled, so an index key is safe); the
        // index is also what the API's issue paths name.
        <div key={index} className={between ? `${styles.pairRow} ${styles.withBetween}` : styles.pairRow}>
          {input(row, index, first)}
          {between ? (
            <span className={styles.between} aria-hidden="true">
              {between}
            </span>
          ) : null}
          {input(row, index, second)}
          <Button
            size="small"
            variant="ghost"
            aria-label={`Remove ${item.toLowerCase()} ${index + 1}`}
            disabled={disabled}
            onClick={() => onChange(rows.filter((_, at) => at !== index))}
          >
            <CloseIcon size={14} />
          </Button>
          {errors[index] ? (
            <p className={styles.rowError} role="alert">
              {errors[index]}
            </p>
          ) : null}
        </div>
      ))}
      <div>
        <Button size="small" disabled={disabled} onClick={() => onChange([...rows, { ...empty }])}>
          <PlusIcon size={14} />
          {addLabel}
        </Button>
      </div>
    </>
  );
}
