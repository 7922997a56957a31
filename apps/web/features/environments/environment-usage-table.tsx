import { ENVIRONMENT_RESOURCE_TYPES, type EnvironmentUsage } from '@outpost/protocol/rest/environments';
import { Table } from '@/components/table';
import { RESOURCE_TYPE_LABELS } from './usage';

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Each environment's resources against the limits per environment: "3 / 100". */
export function EnvironmentUsageTable({ usage, shared }: { usage: EnvironmentUsage[]; shared: boolean }) {
  return (
    <Table label="Limits per environment">
      <thead>
        <tr>
          <th scope="col">Environment</th>
          {ENVIRONMENT_RESOURCE_TYPES.map((type) => (
            <th scope="col" key={type}>
              {capitalised(RESOURCE_TYPE_LABELS[type].plural)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {usage.map(({ environment, counts, limits }) => (
          <tr key={environment.id} data-testid={`usage-${environment.slug}`}>
            <th scope="row">
              {environment.name}
              {shared ? ' (shared)' : ''}
            </th>
            {ENVIRONMENT_RESOURCE_TYPES.map((type) => (
              <td key={type} title={`${counts[type]} of at most ${limits[type]}`}>
                {counts[type]} / {limits[type]}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
