import { redirect } from 'next/navigation';
import { environmentPath } from '@/lib/paths';

/** API tokens belong to an environment, so their page lives with the resources. */
export default async function SettingsApiTokens({ params }: PageProps<'/[env]/settings/api-tokens'>) {
  const { env } = await params;
  redirect(environmentPath(env, 'resources/api-tokens'));
}
