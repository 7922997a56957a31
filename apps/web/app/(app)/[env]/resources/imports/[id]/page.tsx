import type { Metadata } from 'next';
import { EditImportPage } from '@/features/imports/import-pages';

export const metadata: Metadata = { title: 'Import' };

export default async function ImportPage({ params }: PageProps<'/[env]/resources/imports/[id]'>) {
  const { id } = await params;
  return <EditImportPage id={id} />;
}
