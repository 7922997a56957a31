'use client';

import { useMe } from '@/lib/me';
import { EnvironmentPicker } from './environment-picker';
import { EnvironmentToggle } from './environment-toggle';

/** The license decides the control: a toggle for legacy Production/Sandbox, a picker for many environments. */
export function EnvironmentSwitch({ current }: { current: string }) {
  const { me } = useMe();
  return me.account.license === 'LEGACY' ? (
    <EnvironmentToggle current={current} />
  ) : (
    <EnvironmentPicker current={current} />
  );
}
