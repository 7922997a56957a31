'use client';

import type { ReactNode } from 'react';
import { EmptyState } from '@/components/empty-state';
import { KeyIcon } from '@/components/icons';
import { Panel } from '@/components/panel';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { ROLE_LABELS } from '@/lib/roles';

/** Pages for owners and admins; everyone else learns why the page is empty. */
export function AdminOnly({ what, children }: { what: string; children: ReactNode }) {
  const { me } = useMe();
  if (permissionsOf(me).administer) return children;
  return (
    <Panel>
      <EmptyState
        icon={<KeyIcon size={22} />}
        title={`Only owners and admins can see ${what}`}
        description={`Your role in ${me.account.name} is ${ROLE_LABELS[me.role]}. Ask an owner or admin of the account if you need access.`}
      />
    </Panel>
  );
}
