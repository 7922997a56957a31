import type { Metadata } from 'next';
import { RunDetailsPage } from '@/features/runs/run-details-page';

export const metadata: Metadata = { title: 'Run' };

export default async function RunPage({ params }: PageProps<'/[env]/resources/runs/[id]'>) {
  const { id } = await params;
  return <RunDetailsPage id={id} />;
}
