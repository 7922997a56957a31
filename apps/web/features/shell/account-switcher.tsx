'use client';

import type { Me } from '@outpost/protocol/rest/accounts';
import { Badge } from '@/components/badge';
import { ChevronDownIcon } from '@/components/icons';
import { Menu, MenuLabel, MenuRadioItem } from '@/components/menu';
import { useToast } from '@/components/toast';
import { apiRequest, errorMessage } from '@/lib/api';
import { useMe } from '@/lib/me';
import { HOME_PATH } from '@/lib/paths';
import { ROLE_LABELS } from '@/lib/roles';
import styles from './top-bar.module.css';

/** The account's name; a menu of accounts when the user belongs to several. */
export function AccountSwitcher() {
  const { me } = useMe();
  const toast = useToast();
  const license = me.account.license === 'LEGACY' ? <Badge tone="warning">Legacy</Badge> : null;

  if (me.accounts.length < 2) {
    return (
      <span className={styles.account} data-testid="account-name">
        {me.account.name}
        {license}
      </span>
    );
  }

  async function switchTo(accountId: string) {
    try {
      await apiRequest<Me>('POST', '/v1/me/account', { body: { accountId } });
      // A full load: nothing of the previous account may stay in memory.
      window.location.assign(HOME_PATH);
    } catch (error) {
      toast(errorMessage(error), 'danger');
    }
  }

  return (
    <Menu
      label={`Account: ${me.account.name}`}
      data-testid="account-switcher"
      trigger={
        <span className={styles.account}>
          {me.account.name}
          {license}
          <ChevronDownIcon size={15} />
        </span>
      }
    >
      <MenuLabel>Switch account</MenuLabel>
      {me.accounts.map((account) => (
        <MenuRadioItem
          key={account.id}
          checked={account.id === me.account.id}
          onSelect={() => void switchTo(account.id)}
          description={ROLE_LABELS[account.role]}
        >
          {account.name}
        </MenuRadioItem>
      ))}
    </Menu>
  );
}
