import { type ReactNode, useId } from 'react';
import styles from './switch.module.css';

/** An on/off setting that applies as it reads, e.g. "Auto-upgrade"; Space toggles it. */
export function Switch({
  label,
  hint,
  checked,
  onChange,
  disabled,
  labelHidden = false,
}: {
  label: ReactNode;
  hint?: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  /** Only screen readers read the label, e.g. in a table row whose name says what is switched. */
  labelHidden?: boolean;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={styles.row}>
      <div className={styles.text}>
        <label className={labelHidden ? 'visually-hidden' : styles.label} htmlFor={id}>
          {label}
        </label>
        {hint ? (
          <p className={styles.hint} id={hintId}>
            {hint}
          </p>
        ) : null}
      </div>
      <input
        id={id}
        type="checkbox"
        role="switch"
        className={styles.switch}
        checked={checked}
        aria-checked={checked}
        aria-describedby={hintId}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
      />
    </div>
  );
}
