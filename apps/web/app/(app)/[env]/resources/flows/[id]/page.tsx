import type { Metadata } from 'next';
import { EditFlowPage } from '@/features/flows/flow-pages';

export const metadata: Metadata = { title: 'Flow' };

export default async function FlowPage({ params }: PageProps<'/[env]/resources/flows/[id]'>) {
  const { id } = await params;
  return <EditFlowPage id={id} />;
}
