import { redirect } from 'next/navigation';
import { environmentPath } from '@/lib/paths';

export default async function SettingsHome({ params }: PageProps<'/[env]/settings'>) {
  const { env } = await params;
  redirect(environmentPath(env, 'settings/members'));
}
