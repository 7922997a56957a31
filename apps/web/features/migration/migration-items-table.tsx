import type { MigrationItem } from '@outpost/protocol/rest/migrations';
import { Badge } from '@/components/badge';
import { CellText, cellStyles, Table } from '@/components/table';
import { OUTCOME_LABELS, RESOURCE_TYPE_NAMES } from './labels';
import styles from './migration.module.css';

/** Every resource of a migration in each environment: type, name, outcome and what is left to do. */
export function MigrationItemsTable({ items }: { items: MigrationItem[] }) {
  return (
    <div className={styles.items}>
      <Table label="Resources">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Name</th>
            <th scope="col">Environment</th>
            <th scope="col">Outcome</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const outcome = OUTCOME_LABELS[item.outcome];
            return (
              <tr
                key={`${item.environment}-${item.sourceId ?? item.id}`}
                data-testid={`migration-item-${item.environment}-${item.type}-${item.name}`}
              >
                <td className={cellStyles.nowrap}>{RESOURCE_TYPE_NAMES[item.type]}</td>
                <td>
                  <CellText primary={item.name} secondary={item.note ?? undefined} />
                </td>
                <td>{item.environment === 'production' ? 'Production' : 'Sandbox'}</td>
                <td className={cellStyles.nowrap}>
                  <Badge tone={outcome.tone}>{outcome.label}</Badge>
                </td>
                <td>{item.action ?? <span className={cellStyles.muted}>Nothing to do</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}
