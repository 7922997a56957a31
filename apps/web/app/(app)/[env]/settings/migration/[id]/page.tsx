import type { Metadata } from 'next';
import { MigrationReportPage } from '@/features/migration/migration-report-page';

export const metadata: Metadata = { title: 'Migration report' };

export default async function MigrationReport({ params }: PageProps<'/[env]/settings/migration/[id]'>) {
  const { id } = await params;
  return <MigrationReportPage id={id} />;
}
