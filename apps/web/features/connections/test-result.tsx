'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { formStyles } from '@/components/form-layout';
import { useEnvironment } from '@/lib/environment';
import styles from './connections.module.css';
import { agentsPath } from './paths';
import { failureTitle, formatDuration, type TestOutcome } from './test-outcome';

/**
 * What Test connection found, in place: success with how long it took and where it ran; a failure
 * with its headline, the API's message (what to change) and its code, and the way out when there
 * is one (On-premise for a private address, Resources → Agents for an agent that is offline).
 */
export function TestResult({
  outcome,
  onChooseOnPremise,
}: {
  outcome: TestOutcome;
  /** Offered when Mode Cloud was refused a private address. */
  onChooseOnPremise?: () => void;
}) {
  const environment = useEnvironment();

  if (outcome.kind === 'not_run') {
    return (
      <Alert
        tone="danger"
        className={formStyles.result}
        data-testid="connection-test-result"
        title={
          outcome.blockedPrivateAddress ? (
            <ResultTitle title={failureTitle('ssrf_blocked')} code="ssrf_blocked" />
          ) : (
            outcome.title
          )
        }
        action={
          outcome.blockedPrivateAddress && onChooseOnPremise ? (
            <Button size="small" onClick={onChooseOnPremise}>
              Use On-premise
            </Button>
          ) : undefined
        }
      >
        {outcome.message}
      </Alert>
    );
  }

  const { result, via } = outcome;
  const where = via ? `through ${via}` : "from Outpost's cloud";
  if (result.ok) {
    return (
      <Alert
        tone="success"
        className={formStyles.result}
        data-testid="connection-test-result"
        title={
          <span className={styles.resultTitle}>
            Connection successful
            <span className={styles.resultMeta}>
              {formatDuration(result.durationMs)} · {where}
            </span>
          </span>
        }
      >
        {result.message}
      </Alert>
    );
  }

  let action: ReactNode;
  if (result.code === 'ssrf_blocked' && onChooseOnPremise)
    action = (
      <Button size="small" onClick={onChooseOnPremise}>
        Use On-premise
      </Button>
    );
  else if (result.code === 'agent_offline' || result.code === 'no_agent')
    action = (
      <Link className={styles.resultLink} href={agentsPath(environment.slug)}>
        Resources → Agents
      </Link>
    );

  return (
    <Alert
      tone="danger"
      className={formStyles.result}
      data-testid="connection-test-result"
      title={
        <span className={styles.resultTitle}>
          <ResultTitle title={failureTitle(result.code)} code={result.code} />
          <span className={styles.resultMeta}>
            {formatDuration(result.durationMs)} · {where}
          </span>
        </span>
      }
      action={action}
    >
      {result.message}
    </Alert>
  );
}

function ResultTitle({ title, code }: { title: string; code: string }) {
  return (
    <>
      {title}
      <code className={styles.code} title="Error code">
        {code}
      </code>
    </>
  );
}
