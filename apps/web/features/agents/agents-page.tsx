'use client';

import type { Agent, AgentDownload, AgentOs } from '@outpost/protocol/rest/agents';
import type { TokenResponse } from '@outpost/protocol/rest/common';
import { useEffect, useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { PlusIcon } from '@/components/icons';
import { LoadingState } from '@/components/loading-state';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { useToast } from '@/components/toast';
import { useRevealedTokens } from '@/components/token-cell';
import { errorMessage } from '@/lib/api';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import styles from './agents.module.css';
import { AgentsEmptyState } from './agents-empty-state';
import { AgentsTable } from './agents-table';
import { AgentsToolbar } from './agents-toolbar';
import { CreateAgentDialog } from './create-agent-dialog';
import { EditAgentDialog } from './edit-agent-dialog';
import { TokenGeneratedDialog } from './token-generated-dialog';
import { useAgentList } from './use-agent-list';
import { useDebounced } from './use-debounced';

const SEARCH_DEBOUNCE_MS = 300;
/** How long a just-created agent's row stays marked. */
const HIGHLIGHT_MS = 4_000;

type Confirming = { action: 'generate' | 'delete'; agent: Agent };

/** Resources → Agents: the list, + Create agent, Install → Download, Show token, Actions. */
export function AgentsPage() {
  const { me } = useMe();
  const permissions = permissionsOf(me);
  const api = useApi();
  const toast = useToast();

  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), SEARCH_DEBOUNCE_MS);
  const agents = useAgentList(search);
  const downloads = useApiQuery<{ items: AgentDownload[] }>('/v1/agent-downloads');
  const tokens = useRevealedTokens();

  const [creating, setCreating] = useState<{ downloadOs?: AgentOs }>();
  const [editing, setEditing] = useState<Agent>();
  const [confirming, setConfirming] = useState<Confirming>();
  const [generated, setGenerated] = useState<{ agentName: string; token: string }>();
  const [highlighted, setHighlighted] = useState<string>();

  useEffect(() => {
    if (!highlighted) return;
    const timer = setTimeout(() => setHighlighted(undefined), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlighted]);

  async function showToken(agent: Agent) {
    try {
      await tokens.show(
        agent.id,
        async () => (await api.get<TokenResponse>(`/v1/agents/${agent.id}/token`)).token,
      );
    } catch (error) {
      toast(errorMessage(error), 'danger');
    }
  }

  async function generateToken(agent: Agent) {
    const { token } = await api.post<TokenResponse>(`/v1/agents/${agent.id}/token`);
    tokens.reveal(agent.id, token);
    setGenerated({ agentName: agent.name, token });
  }

  async function deleteAgent(agent: Agent) {
    await api.delete(`/v1/agents/${agent.id}`);
    agents.forget(agent.id);
    tokens.hide(agent.id);
    toast(`${agent.name} was deleted`);
  }

  const createButton = permissions.manage ? (
    <Button variant="primary" onClick={() => setCreating({})}>
      <PlusIcon size={15} />
      Create agent
    </Button>
  ) : undefined;

  const { list } = agents;
  const isEmpty = list !== undefined && list.total === 0 && list.items.length === 0 && !agents.listSearch;

  function content() {
    if (!list) {
      if (agents.error) {
        return (
          <div className={styles.padded}>
            <Alert
              tone="danger"
              title="Could not load agents"
              action={
                <Button size="small" onClick={agents.reload}>
                  Try again
                </Button>
              }
            >
              {agents.error.message}
            </Alert>
          </div>
        );
      }
      return <LoadingState label="Loading agents…" />;
    }
    if (isEmpty && !searchText) {
      return (
        <AgentsEmptyState
          createButton={createButton}
          onDownload={(downloadOs) => setCreating({ downloadOs })}
        />
      );
    }
    return (
      <>
        <AgentsToolbar
          searchText={searchText}
          onSearchTextChange={setSearchText}
          list={list}
          listSearch={agents.listSearch}
          searching={agents.reloading && agents.listSearch !== search}
          live={agents.live}
        />
        {list.items.length === 0 ? (
          <div className={styles.noMatch}>
            <p>
              No agents match <strong>“{agents.listSearch || searchText}”</strong>.
            </p>
            <Button size="small" onClick={() => setSearchText('')}>
              Clear search
            </Button>
          </div>
        ) : (
          <div className={agents.listSearch !== search ? styles.stale : undefined}>
            <AgentsTable
              agents={list.items}
              downloads={downloads.data?.items}
              tokens={
                permissions.seeTokens
                  ? { state: tokens, onShow: (agent) => void showToken(agent) }
                  : undefined
              }
              actions={
                permissions.manage
                  ? {
                      onEdit: setEditing,
                      onGenerateToken: (agent) => setConfirming({ action: 'generate', agent }),
                      onDelete: (agent) => setConfirming({ action: 'delete', agent }),
                    }
                  : undefined
              }
              highlighted={highlighted}
            />
          </div>
        )}
      </>
    );
  }

  return (
    <>
      <PageHeader
        eyebrow="Resources"
        title="Agents"
        description="Agents carry work from Outpost into your private network: connections in On-premise mode reach databases and APIs through them."
        actions={isEmpty ? undefined : createButton}
      />
      <Panel
        footer={
          list?.nextCursor ? (
            <div className={styles.loadMore}>
              <span className={styles.count}>
                Showing {list.items.length.toLocaleString('en')} of {list.total.toLocaleString('en')}
              </span>
              <Button
                size="small"
                onClick={agents.loadMore}
                busy={agents.loadingMore}
                disabled={agents.reloading}
              >
                Load more
              </Button>
            </div>
          ) : null
        }
      >
        {content()}
      </Panel>

      <CreateAgentDialog
        open={creating !== undefined}
        downloadOs={creating?.downloadOs}
        onClose={() => setCreating(undefined)}
        onCreated={(agent) => {
          agents.show(agent, { pin: true });
          setHighlighted(agent.id);
          if (!creating?.downloadOs)
            toast(`${agent.name} was created: download it from the Install column, then Show token`);
        }}
      />
      {editing ? (
        <EditAgentDialog
          key={editing.id}
          agent={editing}
          onClose={() => setEditing(undefined)}
          onSaved={(saved) => {
            agents.show(saved);
            toast(`${saved.name} was saved`);
          }}
        />
      ) : null}
      <ConfirmDialog
        open={confirming?.action === 'generate'}
        title="Generate a new token?"
        confirmLabel="Generate token"
        tone="danger"
        onClose={() => setConfirming(undefined)}
        onConfirm={async () => {
          if (confirming) await generateToken(confirming.agent);
        }}
      >
        <p>
          The old token stops working immediately: the agent using it is disconnected and must be given the
          new one.
        </p>
        <p className={styles.confirmSubject}>
          Agent: <strong>{confirming?.agent.name}</strong>
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming?.action === 'delete'}
        title="Delete agent?"
        confirmLabel="Delete agent"
        tone="danger"
        onClose={() => setConfirming(undefined)}
        onConfirm={async () => {
          if (confirming) await deleteAgent(confirming.agent);
        }}
      >
        <strong>{confirming?.agent.name}</strong> is deleted and its token stops working immediately; if the
        agent is running, it is disconnected and stops. This cannot be undone.
      </ConfirmDialog>
      <TokenGeneratedDialog generated={generated} onClose={() => setGenerated(undefined)} />
    </>
  );
}
