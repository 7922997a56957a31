'use client';

import { type InputHTMLAttributes, useState } from 'react';
import { Field, type FieldProps } from './field';
import { EyeIcon, EyeOffIcon } from './icons';
import styles from './secret-field.module.css';

/** What a write-only secret that is already stored shows instead of its value. */
export const STORED_SECRET_PLACEHOLDER = '•••••• (set) — leave blank to keep';

type SecretFieldProps = Omit<FieldProps, 'children'> &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'className' | 'children' | 'type' | 'value'> & {
    value: string;
    /**
     * The server holds a value it never sends back: the field stays empty and says so; typing
     * replaces the stored value, leaving it blank keeps it.
     */
    stored?: boolean;
  };

/** A password, token or client secret: masked, with Show / Hide, and write-only when stored. */
export function SecretField({
  label,
  hint,
  error,
  optional,
  stored = false,
  placeholder,
  ...input
}: SecretFieldProps) {
  const [shown, setShown] = useState(false);
  return (
    <Field label={label} hint={hint} error={error} optional={optional}>
      {({ className, ...control }) => (
        <div className={styles.wrapper}>
          <input
            {...control}
            {...input}
            className={`${className} ${styles.input}`}
            type={shown ? 'text' : 'password'}
            placeholder={stored ? STORED_SECRET_PLACEHOLDER : placeholder}
            autoComplete="new-password"
            spellCheck={false}
            data-stored={stored || undefined}
          />
          <button
            type="button"
            className={styles.toggle}
            onClick={() => setShown((wasShown) => !wasShown)}
            aria-label={shown ? 'Hide' : 'Show'}
            aria-pressed={shown}
            title={shown ? 'Hide' : 'Show'}
          >
            {shown ? <EyeOffIcon size={15} /> : <EyeIcon size={15} />}
          </button>
        </div>
      )}
    </Field>
  );
}
