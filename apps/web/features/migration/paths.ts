import { environmentPath } from '@/lib/paths';

/** The kept report of a migration, under account settings. */
export function migrationReportPath(environment: string, id: string): string {
  return environmentPath(environment, `settings/migration/${id}`);
}
