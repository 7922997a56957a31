'use client';

import type { MigrationSummary } from '@outpost/protocol/rest/migrations';
import { ButtonLink } from '@/components/button';
import { Panel } from '@/components/panel';
import { useEnvironment } from '@/lib/environment';
import { formatDateTime } from '@/lib/format';
import { useMe } from '@/lib/me';
import { environmentPath } from '@/lib/paths';
import { permissionsOf } from '@/lib/permissions';
import { useApiQuery } from '@/lib/use-api-query';
import styles from './migration.module.css';
import { migrationReportPath } from './paths';

/**
 * Account settings: a legacy account's owner starts the migration here; once it ran, owners and
 * admins open its report here.
 */
export function MigrationPanel() {
  const { me } = useMe();
  const environment = useEnvironment();
  const { administer, isOwner } = permissionsOf(me);
  const legacy = me.account.license === 'LEGACY';
  const migrations = useApiQuery<{ items: MigrationSummary[] }>(
    !legacy && administer ? '/v1/account/migrations' : null,
  );

  if (legacy) {
    return (
      <Panel
        title="Migrate to multiple environments"
        actions={
          isOwner ? (
            <ButtonLink variant="primary" href={environmentPath(environment.slug, 'settings/migration')}>
              Preview the migration
            </ButtonLink>
          ) : null
        }
      >
        <div data-testid="migration-panel" className={styles.body}>
          <p>
            Give Production and Sandbox resources of their own. Production keeps everything as it is: its
            agents stay connected and its flows keep running. Sandbox gets copies of the connections, exports,
            imports, scripts and flows, and new agents and API tokens with new tokens.
          </p>
          {isOwner ? null : <p>Only an owner of {me.account.name} can migrate it.</p>}
        </div>
      </Panel>
    );
  }

  const migration = migrations.data?.items[0];
  if (!migration) return null;
  return (
    <Panel
      title="Migrated to multiple environments"
      actions={
        <ButtonLink href={migrationReportPath(environment.slug, migration.id)}>
          Open the migration report
        </ButtonLink>
      }
    >
      <p className={styles.body}>
        Migrated on {formatDateTime(migration.createdAt)}
        {migration.startedBy ? ` by ${migration.startedBy.email}` : ''}.
      </p>
    </Panel>
  );
}
