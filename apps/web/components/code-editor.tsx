'use client';

import { type TextareaHTMLAttributes, useRef } from 'react';
import styles from './code-editor.module.css';
import { Field, type FieldProps } from './field';

type CodeEditorProps = Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  'value' | 'onChange' | 'className'
> & {
  value: string;
  onChange: (value: string) => void;
  /** A line to mark in the gutter, e.g. where a script does not compile (1-based). */
  markedLine?: number | null;
};

/**
 * Monospace text with line numbers, for scripts, SQL and body templates: a plain textarea (the
 * browser's own editing, undo and accessibility) beside a gutter that scrolls with it. Lines do
 * not wrap, so that a line number always matches a line.
 */
export function CodeEditor({ value, onChange, markedLine, rows = 12, ...textarea }: CodeEditorProps) {
  const gutterRef = useRef<HTMLDivElement>(null);
  const lines = value.split('\n').length;
  return (
    <div className={styles.editor} data-invalid={textarea['aria-invalid'] ? true : undefined}>
      <div className={styles.gutter} ref={gutterRef} aria-hidden="true">
        {Array.from({ length: Math.max(lines, rows) }, (_, index) => (
          <span
            // Line numbers are their own identity.
            key={index}
            className={index + 1 === markedLine ? styles.marked : index < lines ? undefined : styles.past}
            data-line={index + 1}
          >
            {index + 1}
          </span>
        ))}
      </div>
      <textarea
        {...textarea}
        className={styles.text}
        rows={rows}
        value={value}
        wrap="off"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        onChange={(event) => onChange(event.target.value)}
        onScroll={(event) => {
          if (gutterRef.current) gutterRef.current.scrollTop = event.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}

/** A CodeEditor with its label, hint and error, like a TextField. */
export function CodeField({
  label,
  hint,
  error,
  optional,
  ...editor
}: Omit<FieldProps, 'children'> & CodeEditorProps) {
  return (
    <Field label={label} hint={hint} error={error} optional={optional}>
      {({ className: _controlLook, ...control }) => <CodeEditor {...control} {...editor} />}
    </Field>
  );
}
