'use client';

import { ChevronDownIcon, SignOutIcon } from '@/components/icons';
import { Menu, MenuItem, MenuSeparator, MenuText } from '@/components/menu';
import { useToast } from '@/components/toast';
import { apiRequest, errorMessage } from '@/lib/api';
import { useMe } from '@/lib/me';
import { ROLE_LABELS } from '@/lib/roles';
import styles from './top-bar.module.css';

export function UserMenu() {
  const { me } = useMe();
  const toast = useToast();
  const initials = (me.user.name ?? me.user.email).slice(0, 2);

  async function signOut() {
    try {
      await apiRequest<void>('POST', '/v1/auth/logout');
      window.location.assign('/sign-in');
    } catch (error) {
      toast(errorMessage(error), 'danger');
    }
  }

  return (
    <Menu
      label={`User menu: ${me.user.email}`}
      align="end"
      triggerClassName={styles.avatarTrigger}
      data-testid="user-menu"
      trigger={
        <>
          <span className={styles.avatar} aria-hidden="true">
            {initials}
          </span>
          <span className={styles.email}>{me.user.email}</span>
          <ChevronDownIcon size={15} />
        </>
      }
    >
      <MenuText>
        <span className={styles.who}>
          <strong>{me.user.name ?? me.user.email}</strong>
          {me.user.name ? <span>{me.user.email}</span> : null}
          <span>
            {ROLE_LABELS[me.role]} of {me.account.name}
          </span>
        </span>
      </MenuText>
      <MenuSeparator />
      <MenuItem icon={<SignOutIcon size={15} />} onSelect={() => void signOut()}>
        Sign out
      </MenuItem>
    </Menu>
  );
}
