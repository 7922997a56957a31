import { EnvironmentGate } from '@/features/shell/environment-gate';

export default async function EnvironmentLayout({ children, params }: LayoutProps<'/[env]'>) {
  const { env } = await params;
  return <EnvironmentGate slug={env}>{children}</EnvironmentGate>;
}
