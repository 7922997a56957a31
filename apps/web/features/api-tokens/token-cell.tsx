'use client';

import { Button } from '@/components/button';
import { EyeIcon, EyeOffIcon } from '@/components/icons';
import { SecretValue } from '@/components/secret-value';
import { maskedToken } from '@/lib/format';
import styles from './token-cell.module.css';

/** `•••• abcd` with Show token; once shown, the whole token with Copy and Hide. */
export function TokenCell({
  name,
  last4,
  revealed,
  loading,
  onShow,
  onHide,
}: {
  name: string;
  last4: string;
  revealed: string | undefined;
  loading: boolean;
  onShow: () => void;
  onHide: () => void;
}) {
  if (revealed) {
    return (
      <div className={styles.revealed}>
        <SecretValue value={revealed} label={`Token of ${name}`} />
        <Button size="small" variant="ghost" onClick={onHide} aria-label={`Hide token of ${name}`}>
          <EyeOffIcon size={14} />
        </Button>
      </div>
    );
  }
  return (
    <div className={styles.cell}>
      <span className={styles.masked}>
        <span aria-hidden="true">{maskedToken(last4)}</span>
        <span className="visually-hidden">Token ending in {last4}</span>
      </span>
      <Button size="small" variant="ghost" busy={loading} onClick={onShow}>
        {loading ? null : <EyeIcon size={14} />}
        Show token
      </Button>
    </div>
  );
}
