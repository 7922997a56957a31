'use client';

import { usePathname, useRouter } from 'next/navigation';
import { ChevronDownIcon, LayersIcon } from '@/components/icons';
import { Menu, MenuItem, MenuLabel, MenuRadioLink, MenuSeparator } from '@/components/menu';
import { useMe } from '@/lib/me';
import { environmentPath, switchEnvironmentPath } from '@/lib/paths';
import { EnvironmentDot } from './environment-dot';
import styles from './environment-switch.module.css';

/** Multi-environment accounts: every environment of the account, each isolated from the others. */
export function EnvironmentPicker({ current }: { current: string }) {
  const { me } = useMe();
  const pathname = usePathname();
  const router = useRouter();
  const active = me.environments.find((environment) => environment.slug === current);
  const canManage = me.role === 'OWNER' || me.role === 'ADMIN';

  return (
    <Menu
      label={`Environment: ${active?.name ?? 'unknown'}`}
      triggerClassName={styles.pickerTrigger}
      data-testid="environment-picker"
      trigger={
        <>
          <EnvironmentDot slug={active?.slug ?? ''} />
          {active?.name ?? 'Choose environment'}
          <ChevronDownIcon size={15} />
        </>
      }
    >
      <MenuLabel>Environments</MenuLabel>
      {me.environments.map((environment) => (
        <MenuRadioLink
          key={environment.id}
          href={switchEnvironmentPath(pathname, environment.slug)}
          checked={environment.slug === current}
        >
          <EnvironmentDot slug={environment.slug} />
          {environment.name}
          <span className={styles.slug}>{environment.slug}</span>
        </MenuRadioLink>
      ))}
      {canManage ? (
        <>
          <MenuSeparator />
          <MenuItem
            icon={<LayersIcon size={15} />}
            onSelect={() => router.push(environmentPath(current, 'settings/environments'))}
          >
            Manage environments
          </MenuItem>
        </>
      ) : null}
    </Menu>
  );
}
