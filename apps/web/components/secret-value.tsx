import { CopyButton } from './copy-button';
import styles from './secret-value.module.css';

/** An unmasked token or secret, selectable in one click, with a Copy button beside it. */
export function SecretValue({ value, label }: { value: string; label: string }) {
  return (
    <div className={styles.secret}>
      <code className={styles.value}>
        <span className="visually-hidden">{label}: </span>
        {value}
      </code>
      <CopyButton value={value} />
    </div>
  );
}
