import { redirect } from 'next/navigation';
import { environmentPath } from '@/lib/paths';

export default async function ResourcesHome({ params }: PageProps<'/[env]/resources'>) {
  const { env } = await params;
  redirect(environmentPath(env, 'resources/agents'));
}
