import type {
  MigrationItem,
  MigrationOutcome,
  MigrationResourceType,
} from '@outpost/protocol/rest/migrations';
import type { BadgeTone } from '@/components/badge';

export const RESOURCE_TYPE_NAMES: Record<MigrationResourceType, string> = {
  agent: 'Agent',
  api_token: 'API token',
  connection: 'Connection',
  export: 'Export',
  import: 'Import',
  script: 'Script',
  flow: 'Flow',
};

export const OUTCOME_LABELS: Record<MigrationOutcome, { label: string; tone: BadgeTone }> = {
  kept: { label: 'Kept', tone: 'success' },
  copied: { label: 'Copied', tone: 'accent' },
  copied_new_token: { label: 'Copied, new token', tone: 'warning' },
  copied_disabled: { label: 'Copied, turned off', tone: 'warning' },
};

/** The items that leave something to do. */
export function actionsLeft(items: MigrationItem[]): MigrationItem[] {
  return items.filter((item) => item.action !== null);
}
