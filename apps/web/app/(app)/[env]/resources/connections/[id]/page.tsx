import type { Metadata } from 'next';
import { EditConnectionPage } from '@/features/connections/connection-pages';

export const metadata: Metadata = { title: 'Connection' };

export default async function ConnectionPage({ params }: PageProps<'/[env]/resources/connections/[id]'>) {
  const { id } = await params;
  return <EditConnectionPage id={id} />;
}
