import type { ConnectionMode } from '@outpost/protocol/rest/connections';
import { Button } from '@/components/button';
import { WarningIcon } from '@/components/icons';
import { hostOf, isPrivateHost } from './addresses';
import styles from './connections.module.css';

/** Where the system is, in words that fit the mode: the agent's point of view for On-premise. */
export function addressHint(mode: ConnectionMode, what: 'base URI' | 'host') {
  if (mode === 'ON_PREMISE') {
    return (
      <>
        Same server as the agent: <code>localhost</code> or <code>127.0.0.1</code>; another server on the
        agent's network: its host name or IP.
      </>
    );
  }
  return what === 'base URI'
    ? 'The public address of the API, e.g. https://erp.example.com.'
    : 'The public host name or IP of the database server.';
}

/**
 * In Mode Cloud, an address Outpost's cloud will refuse (localhost, 10.x, 192.168.x…): said while
 * typing, with the way out. The API has the last word, after DNS.
 */
export function PrivateAddressWarning({
  mode,
  value,
  onChooseOnPremise,
}: {
  mode: ConnectionMode;
  value: string;
  onChooseOnPremise?: () => void;
}) {
  const host = hostOf(value);
  if (mode !== 'CLOUD' || !host || !isPrivateHost(host)) return null;
  return (
    <div className={styles.privateWarning} data-testid="private-address-warning">
      <WarningIcon size={15} className={styles.privateWarningIcon} />
      <p>
        <strong>{host}</strong> is a private address, which Outpost's cloud cannot reach. Choose On-premise
        and the agent on that network.
      </p>
      {onChooseOnPremise ? (
        <Button size="small" onClick={onChooseOnPremise}>
          Use On-premise
        </Button>
      ) : null}
    </div>
  );
}
