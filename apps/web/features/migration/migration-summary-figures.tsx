import type { MigrationItem } from '@outpost/protocol/rest/migrations';
import styles from './migration.module.css';

/** Three numbers: resources kept in Production, copied to Sandbox, and actions left. */
export function MigrationSummaryFigures({ items }: { items: MigrationItem[] }) {
  const figures = [
    { label: 'kept in Production', value: items.filter((item) => item.outcome === 'kept').length },
    { label: 'copied to Sandbox', value: items.filter((item) => item.environment === 'sandbox').length },
    { label: 'actions left', value: items.filter((item) => item.action !== null).length },
  ];
  return (
    <div className={styles.summary}>
      {figures.map((figure) => (
        <div className={styles.figure} key={figure.label}>
          <span className={styles.figureValue}>{figure.value}</span>
          <span className={styles.figureLabel}>{figure.label}</span>
        </div>
      ))}
    </div>
  );
}
