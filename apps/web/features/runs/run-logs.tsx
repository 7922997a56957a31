import type { FlowRunLogLine } from '@outpost/protocol/rest/runs';
import { Panel } from '@/components/panel';
import styles from './runs.module.css';

const LEVEL_CLASSES: Record<FlowRunLogLine['level'], string | undefined> = {
  info: undefined,
  warn: styles.logWarn,
  error: styles.logError,
};

const time = new Intl.DateTimeFormat('en', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** The run's log: its last lines, oldest first, with the time and the level of each. */
export function RunLogs({ logs }: { logs: FlowRunLogLine[] }) {
  return (
    <Panel title="Log">
      {logs.length === 0 ? (
        <p className={styles.none}>Nothing logged yet.</p>
      ) : (
        <ol className={styles.logs} aria-label="Log">
          {logs.map((line, index) => (
            // Log lines have no id; they only ever come in order, so the index is theirs.
            <li key={index} className={LEVEL_CLASSES[line.level]}>
              <time dateTime={line.at}>{time.format(new Date(line.at))}</time>
              <span className={styles.level}>{line.level}</span>
              <span>{line.message}</span>
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
