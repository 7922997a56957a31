'use client';

import type { ApiToken } from '@outpost/protocol/rest/api-tokens';
import type { TokenResponse } from '@outpost/protocol/rest/common';
import { useState } from 'react';
import { Button } from '@/components/button';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { EmptyState } from '@/components/empty-state';
import { KeyIcon, PlusIcon } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { useToast } from '@/components/toast';
import { useRevealedTokens } from '@/components/token-cell';
import { AdminOnly } from '@/features/shell/admin-only';
import { QueryView } from '@/features/shell/query-view';
import { errorMessage } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { useApi } from '@/lib/use-api';
import { useApiQuery } from '@/lib/use-api-query';
import { ApiTokensTable } from './api-tokens-table';
import { CreateApiTokenDialog } from './create-api-token-dialog';
import { EditApiTokenDialog } from './edit-api-token-dialog';

type Confirming = { action: 'generate' | 'delete'; token: ApiToken };

export function ApiTokensPage() {
  const environment = useEnvironment();
  return (
    <>
      <PageHeader
        eyebrow="Resources"
        title="API tokens"
        description={`Programs call the Outpost API with an API token. Each token acts only in its environment (here: ${environment.name}) and with the role you give it.`}
      />
      <AdminOnly what="API tokens">
        <ApiTokens />
      </AdminOnly>
    </>
  );
}

function ApiTokens() {
  const api = useApi();
  const toast = useToast();
  const tokens = useApiQuery<{ items: ApiToken[] }>('/v1/api-tokens');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<ApiToken>();
  const [confirming, setConfirming] = useState<Confirming>();
  const { revealed, revealing, reveal, hide, show: showToken } = useRevealedTokens();

  async function show(token: ApiToken) {
    try {
      await showToken(
        token.id,
        async () => (await api.get<TokenResponse>(`/v1/api-tokens/${token.id}/token`)).token,
      );
    } catch (error) {
      toast(errorMessage(error), 'danger');
    }
  }

  async function generate(token: ApiToken) {
    const { token: value } = await api.post<TokenResponse>(`/v1/api-tokens/${token.id}/token`);
    reveal(token.id, value);
    tokens.reload();
    toast(`New token generated for ${token.name}; the old one no longer works`);
  }

  async function remove(token: ApiToken) {
    await api.delete(`/v1/api-tokens/${token.id}`);
    hide(token.id);
    tokens.update(({ items }) => ({ items: items.filter((item) => item.id !== token.id) }));
    toast(`${token.name} was deleted`);
  }

  const createButton = (
    <Button variant="primary" onClick={() => setCreating(true)}>
      <PlusIcon size={15} />
      Create API token
    </Button>
  );

  return (
    <>
      <Panel title="Tokens" actions={tokens.data?.items.length ? createButton : null}>
        <QueryView query={tokens} what="API tokens">
          {({ items }) =>
            items.length === 0 ? (
              <EmptyState
                icon={<KeyIcon size={22} />}
                title="No API tokens yet"
                description="Create a token for each program that calls the Outpost API: a CI job, a script, another service. You can show, copy and replace it at any time."
                actions={createButton}
              />
            ) : (
              <ApiTokensTable
                tokens={items}
                revealed={revealed}
                revealing={revealing}
                actions={{
                  onShow: (token) => void show(token),
                  onHide: (token) => hide(token.id),
                  onEdit: setEditing,
                  onGenerate: (token) => setConfirming({ action: 'generate', token }),
                  onDelete: (token) => setConfirming({ action: 'delete', token }),
                }}
              />
            )
          }
        </QueryView>
      </Panel>

      <CreateApiTokenDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={({ token, ...created }) => {
          tokens.update(({ items }) => ({ items: [created, ...items] }));
          reveal(created.id, token);
        }}
      />
      {editing ? (
        <EditApiTokenDialog
          key={editing.id}
          token={editing}
          onClose={() => setEditing(undefined)}
          onSaved={(saved) => {
            tokens.update(({ items }) => ({
              items: items.map((item) => (item.id === saved.id ? saved : item)),
            }));
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
          if (confirming) await generate(confirming.token);
        }}
      >
        The current token of <strong>{confirming?.token.name}</strong> stops working immediately. Every
        program that uses it must be given the new token.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming?.action === 'delete'}
        title="Delete API token?"
        confirmLabel="Delete API token"
        tone="danger"
        onClose={() => setConfirming(undefined)}
        onConfirm={async () => {
          if (confirming) await remove(confirming.token);
        }}
      >
        <strong>{confirming?.token.name}</strong> is deleted and its token stops working immediately. This
        cannot be undone.
      </ConfirmDialog>
    </>
  );
}
