import type { ConnectionMode } from '@outpost/protocol/rest/connections';
import type { ScriptKind } from '@outpost/protocol/rest/scripts';
import { ExportIcon, ImportIcon, ScriptIcon } from '@/components/icons';
import { ModeBadge } from '@/features/resources/connection-ref';
import { KIND_LABELS } from '@/features/scripts/script-draft';
import styles from './flows.module.css';

export interface ChainEnd {
  name: string;
  connection: { name: string; mode: ConnectionMode };
}

/**
 * The flow from left to right, as records move: the export, each script in order, then the
 * imports side by side; the ends show their connection and where it runs (Cloud or On-premise).
 */
export function FlowChain({
  source,
  scripts,
  destinations,
}: {
  source: ChainEnd | undefined;
  scripts: { name: string; kind: ScriptKind }[];
  destinations: ChainEnd[];
}) {
  return (
    <ol className={styles.chain} aria-label="The flow, from export to imports" data-testid="flow-chain">
      <li className={styles.step}>
        <End icon={<ExportIcon size={16} />} label="Export" end={source} missing="Pick an export" />
      </li>
      {scripts.map((script, index) => (
        // The same script may run twice in a row; its place is its identity here.
        <li key={index} className={styles.step}>
          <div className={styles.node}>
            <span className={styles.nodeRole}>
              <ScriptIcon size={16} /> {KIND_LABELS[script.kind]}
            </span>
            <strong className={styles.nodeName}>{script.name}</strong>
          </div>
        </li>
      ))}
      <li className={styles.step}>
        <div className={styles.destinations}>
          {destinations.length === 0 ? (
            <End icon={<ImportIcon size={16} />} label="Import" end={undefined} missing="Pick an import" />
          ) : (
            destinations.map((destination) => (
              <End
                key={destination.name}
                icon={<ImportIcon size={16} />}
                label="Import"
                end={destination}
                missing=""
              />
            ))
          )}
        </div>
      </li>
    </ol>
  );
}

function End({
  icon,
  label,
  end,
  missing,
}: {
  icon: React.ReactNode;
  label: string;
  end: ChainEnd | undefined;
  missing: string;
}) {
  return (
    <div className={end ? styles.node : `${styles.node} ${styles.missing}`}>
      <span className={styles.nodeRole}>
        {icon} {label}
      </span>
      {end ? (
        <>
          <strong className={styles.nodeName}>{end.name}</strong>
          <span className={styles.nodeConnection}>
            {end.connection.name} <ModeBadge mode={end.connection.mode} />
          </span>
        </>
      ) : (
        <span className={styles.nodeConnection}>{missing}</span>
      )}
    </div>
  );
}
