import type { Metadata } from 'next';
import { EditScriptPage } from '@/features/scripts/script-pages';

export const metadata: Metadata = { title: 'Script' };

export default async function ScriptPage({ params }: PageProps<'/[env]/resources/scripts/[id]'>) {
  const { id } = await params;
  return <EditScriptPage id={id} />;
}
