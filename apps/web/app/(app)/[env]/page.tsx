import { redirect } from 'next/navigation';
import { environmentPath } from '@/lib/paths';

export default async function EnvironmentHome({ params }: PageProps<'/[env]'>) {
  const { env } = await params;
  redirect(environmentPath(env, 'resources/agents'));
}
