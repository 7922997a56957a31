'use client';

import type { Flow } from '@outpost/protocol/rest/flows';
import Link from 'next/link';
import { FlowIcon } from '@/components/icons';
import { MenuItem } from '@/components/menu';
import { CellText, cellStyles, Table } from '@/components/table';
import { useToast } from '@/components/toast';
import { useNow } from '@/features/agents/use-now';
import { ResourceListPage, type ResourceTableProps } from '@/features/resources/resource-list-page';
import { resourcePath } from '@/features/resources/resource-paths';
import { ActionsHeader, ResourceRowActions } from '@/features/resources/resource-row-actions';
import { isActive } from '@/features/runs/run-format';
import { RunStatusBadge } from '@/features/runs/run-status';
import { errorMessage } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { formatRelative } from '@/lib/format';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { useApi } from '@/lib/use-api';
import { usePolling } from '@/lib/use-polling';
import { EnabledSwitch } from './enabled-switch';
import { describeSchedule } from './schedule';
import { useRunNow } from './use-run-now';

/** Resources → Flows: each flow's schedule, whether it is on, its last run, and Run now. */
export function FlowsPage() {
  return (
    <ResourceListPage<Flow>
      kind="flows"
      title="Flows"
      noun="flow"
      description="An export, scripts and imports run together, by Run now or on a schedule: records move page by page from the source to every destination."
      empty={{
        icon: <FlowIcon size={22} />,
        title: 'No flows yet',
        description:
          'A flow reads records with an export, passes them through scripts, and writes them with one or more imports, page by page. Build one from the exports, scripts and imports of this environment.',
      }}
      table={(props) => <FlowsTable {...props} />}
      deleteNote="Its runs and their history are deleted with it."
    />
  );
}

function FlowsTable({ items, query, onDelete }: ResourceTableProps<Flow>) {
  const { me } = useMe();
  const manage = permissionsOf(me).manage;
  const environment = useEnvironment();
  const api = useApi();
  const toast = useToast();
  const now = useNow(30_000);
  const replace = (flow: Flow) =>
    query.update(({ items: flows }) => ({ items: flows.map((item) => (item.id === flow.id ? flow : item)) }));
  const { runNow } = useRunNow((run) =>
    query.update(({ items: flows }) => ({
      items: flows.map((item) => (item.id === run.flow.id ? { ...item, lastRun: run } : item)),
    })),
  );
  usePolling(
    items.some((flow) => flow.lastRun && isActive(flow.lastRun.status)),
    query.reload,
  );

  async function setEnabled(flow: Flow, enabled: boolean) {
    try {
      replace(await api.patch<Flow>(`/v1/flows/${flow.id}`, { enabled }));
      toast(`${flow.name} is ${enabled ? 'on' : 'off'}`);
    } catch (error) {
      toast(errorMessage(error), 'danger');
    }
  }

  return (
    <Table label="Flows">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Schedule</th>
          <th scope="col">Enabled</th>
          <th scope="col">Last run</th>
          {onDelete ? <ActionsHeader /> : null}
        </tr>
      </thead>
      <tbody>
        {items.map((flow) => {
          const href = resourcePath(environment.slug, 'flows', flow.id);
          return (
            <tr key={flow.id} data-testid={`flow-${flow.name}`}>
              <td>
                <CellText
                  primary={
                    <Link className={cellStyles.nameLink} href={href}>
                      {flow.name}
                    </Link>
                  }
                  secondary={`${flow.export.name} → ${flow.imports.map((destination) => destination.name).join(', ')}`}
                />
              </td>
              <td>
                <CellText
                  primary={describeSchedule(flow.schedule)}
                  secondary={
                    flow.nextRunAt
                      ? `next ${formatRelative(flow.nextRunAt, now)}`
                      : flow.schedule
                        ? flow.timezone
                        : undefined
                  }
                />
              </td>
              <td>
                <EnabledSwitch
                  flow={flow}
                  disabled={!manage}
                  onChange={(enabled) => void setEnabled(flow, enabled)}
                />
              </td>
              <td>
                {flow.lastRun ? (
                  <span className={cellStyles.nowrap}>
                    <Link href={resourcePath(environment.slug, 'runs', flow.lastRun.id)}>
                      <RunStatusBadge status={flow.lastRun.status} />
                    </Link>{' '}
                    <span className={cellStyles.muted}>
                      {formatRelative(flow.lastRun.startedAt ?? flow.lastRun.createdAt, now)}
                    </span>
                  </span>
                ) : (
                  <span className={cellStyles.muted}>Never run</span>
                )}
              </td>
              {onDelete ? (
                <ResourceRowActions name={flow.name} href={href} onDelete={() => onDelete(flow)}>
                  <MenuItem onSelect={() => void runNow(flow)}>Run now</MenuItem>
                </ResourceRowActions>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
