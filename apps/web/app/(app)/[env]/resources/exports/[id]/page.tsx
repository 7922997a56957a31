import type { Metadata } from 'next';
import { EditExportPage } from '@/features/exports/export-pages';

export const metadata: Metadata = { title: 'Export' };

export default async function ExportPage({ params }: PageProps<'/[env]/resources/exports/[id]'>) {
  const { id } = await params;
  return <EditExportPage id={id} />;
}
