'use client';

import type { AgentOs } from '@outpost/protocol/rest/agents';
import type { ReactNode } from 'react';
import { EmptyState, emptyStateStyles } from '@/components/empty-state';
import { AgentIcon } from '@/components/icons';
import styles from './agents.module.css';
import { DownloadBeforeCreateMenu } from './download-menu';

export const AGENT_EXPLANATION =
  'An agent runs on a machine inside your private network and connects out to Outpost, so that connections can reach systems that are not on the internet.';

/** No agents yet: what an agent is, the three steps to a running one, and the first step. */
export function AgentsEmptyState({
  createButton,
  onDownload,
}: {
  /** Absent for someone who may not create agents (MONITOR). */
  createButton: ReactNode | undefined;
  onDownload: (os: AgentOs) => void;
}) {
  return (
    <EmptyState
      icon={<AgentIcon size={22} />}
      title="No agents yet"
      description={AGENT_EXPLANATION}
      actions={
        createButton ? (
          <>
            {createButton}
            <DownloadBeforeCreateMenu onChoose={onDownload} />
          </>
        ) : undefined
      }
    >
      <ol className={`${emptyStateStyles.cards} ${styles.howItWorks}`} aria-label="How to set up an agent">
        <li>
          <span className={styles.stepNumber}>1</span>
          <span>
            <strong>Create an agent</strong> for the network it will serve.
          </span>
        </li>
        <li>
          <span className={styles.stepNumber}>2</span>
          <span>
            <strong>Install → Download</strong> it for Windows, macOS or Linux onto a machine there.
          </span>
        </li>
        <li>
          <span className={styles.stepNumber}>3</span>
          <span>
            <strong>Show token</strong>, <strong>Copy</strong>, enter it in the agent: it comes{' '}
            <strong>Online</strong> here.
          </span>
        </li>
      </ol>
      {createButton ? null : (
        <p className={styles.monitorNote}>An owner, admin or manager of the account can create one.</p>
      )}
    </EmptyState>
  );
}
