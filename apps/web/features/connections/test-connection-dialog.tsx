'use client';

import type { Connection, ConnectionTestResult } from '@outpost/protocol/rest/connections';
import { useCallback, useEffect, useState } from 'react';
import { Button, ButtonLink } from '@/components/button';
import { Dialog } from '@/components/dialog';
import { errorMessage } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { useApi } from '@/lib/use-api';
import styles from './connections.module.css';
import { connectionPath } from './paths';
import type { TestOutcome } from './test-outcome';
import { TestResult } from './test-result';

/** Actions → Test connection from the list: tests the saved connection at once and says what happened. */
export function TestConnectionDialog({
  connection,
  onClose,
}: {
  connection: Connection;
  onClose: () => void;
}) {
  const api = useApi();
  const environment = useEnvironment();
  const [outcome, setOutcome] = useState<TestOutcome>();
  const [testing, setTesting] = useState(false);
  const via = connection.mode === 'ON_PREMISE' ? (connection.agent?.name ?? null) : null;

  const test = useCallback(async () => {
    setTesting(true);
    setOutcome(undefined);
    try {
      const result = await api.post<ConnectionTestResult>(`/v1/connections/${connection.id}/test`);
      setOutcome({ kind: 'result', result, via });
    } catch (error) {
      setOutcome({
        kind: 'not_run',
        title: 'Could not run the test',
        message: errorMessage(error),
        blockedPrivateAddress: false,
      });
    } finally {
      setTesting(false);
    }
  }, [api, connection.id, via]);

  useEffect(() => {
    void test();
  }, [test]);

  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={`Test connection: ${connection.name}`}
      description={via ? `A real request through the agent ${via}.` : "A real request from Outpost's cloud."}
      footer={
        <>
          <ButtonLink href={connectionPath(environment.slug, connection.id)} variant="ghost">
            Edit connection
          </ButtonLink>
          <Button onClick={() => void test()} busy={testing}>
            Test again
          </Button>
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        </>
      }
    >
      {outcome ? (
        <TestResult outcome={outcome} />
      ) : (
        <p className={styles.testing} role="status">
          <span className={styles.spinner} aria-hidden="true" />
          Testing {via ? `through ${via}` : "from Outpost's cloud"}…
        </p>
      )}
    </Dialog>
  );
}
