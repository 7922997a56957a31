'use client';

import type { Connection } from '@outpost/protocol/rest/connections';
import { Badge } from '@/components/badge';
import { Button } from '@/components/button';
import { formStyles } from '@/components/form-layout';
import styles from './connections.module.css';

/**
 * "Connect" of an OAuth 2.0 authorization-code connection: the browser goes to the authorization
 * server, the person signs in and allows Outpost, and comes back to this page.
 */
export function OAuthConnect({
  saved,
  busy,
  disabled,
  onConnect,
}: {
  saved: Connection | undefined;
  busy: boolean;
  disabled: boolean;
  onConnect: () => void;
}) {
  const auth = saved?.http?.auth;
  const connected = auth?.type === 'oauth2_authorization_code' && auth.connected;
  return (
    <div className={styles.connect} data-testid="oauth-connect">
      <div className={styles.connectText}>
        <p className={styles.connectTitle}>
          Authorization
          {connected ? (
            <Badge tone="success" dot>
              Connected
            </Badge>
          ) : (
            <Badge tone="warning">Not connected</Badge>
          )}
        </p>
        <p className={formStyles.muted}>
          {connected
            ? 'Outpost holds a token and refreshes it as needed. Connect again to sign in anew, e.g. as another user.'
            : 'Connect saves your changes, then opens the authorization server: sign in there, allow Outpost, and you come back here.'}{' '}
          The server must accept Outpost's redirect URI, <code>/v1/oauth/callback</code> on Outpost's public
          URL.
        </p>
      </div>
      <Button onClick={onConnect} busy={busy} disabled={disabled}>
        {connected ? 'Connect again' : 'Connect'}
      </Button>
    </div>
  );
}
