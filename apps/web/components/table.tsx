import type { ReactNode } from 'react';
import styles from './table.module.css';

/** A readable data table: sticky header, quiet row lines, the last column right-aligned for actions. */
export function Table({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className={styles.scroll}>
      <table className={styles.table} aria-label={label}>
        {children}
      </table>
    </div>
  );
}

/** A cell's main text with an optional second line, e.g. a member's e-mail and name. */
export function CellText({ primary, secondary }: { primary: ReactNode; secondary?: ReactNode }) {
  return (
    <>
      <span className={styles.primary}>{primary}</span>
      {secondary ? <span className={styles.secondary}>{secondary}</span> : null}
    </>
  );
}

export function CellActions({ children }: { children: ReactNode }) {
  return <div className={styles.actions}>{children}</div>;
}

export const cellStyles = {
  muted: styles.muted,
  mono: styles.mono,
  nameLink: styles.nameLink,
  nowrap: styles.nowrap,
  danger: styles.danger,
};
