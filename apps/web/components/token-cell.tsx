'use client';

import { useCallback, useState } from 'react';
import { maskedToken } from '@/lib/format';
import { Button } from './button';
import { EyeIcon, EyeOffIcon } from './icons';
import { SecretValue } from './secret-value';
import styles from './token-cell.module.css';

/** `•••• abcd` with Show token; once shown, the whole token with Copy and Hide. */
export function TokenCell({
  name,
  last4,
  revealed,
  loading,
  onShow,
  onHide,
  fit = false,
}: {
  /** What the token belongs to, for screen readers: "Token of Nightly export". */
  name: string;
  last4: string;
  revealed: string | undefined;
  loading: boolean;
  onShow: () => void;
  onHide: () => void;
  /** Shown, take only the room the table leaves (at least 240 px) instead of 360 px. */
  fit?: boolean;
}) {
  if (revealed) {
    return (
      <div className={fit ? `${styles.revealed} ${styles.fit}` : styles.revealed}>
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

export interface RevealedTokens {
  /** Tokens shown in full, by the id of what they belong to. */
  revealed: Record<string, string>;
  /** The id whose Show token is in flight. */
  revealing: string | undefined;
  /** Shows a token the page already has (just created or generated). */
  reveal: (id: string, token: string) => void;
  hide: (id: string) => void;
  /** Show token: loads it with `load` (which may throw; the caller reports it) and shows it. */
  show: (id: string, load: () => Promise<string>) => Promise<void>;
}

/** The state behind a column of TokenCells. */
export function useRevealedTokens(): RevealedTokens {
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [revealing, setRevealing] = useState<string>();

  const reveal = useCallback((id: string, token: string) => {
    setRevealed((current) => ({ ...current, [id]: token }));
  }, []);

  const hide = useCallback((id: string) => {
    setRevealed(({ [id]: _hidden, ...rest }) => rest);
  }, []);

  const show = useCallback(
    async (id: string, load: () => Promise<string>) => {
      setRevealing(id);
      try {
        reveal(id, await load());
      } finally {
        setRevealing((current) => (current === id ? undefined : current));
      }
    },
    [reveal],
  );

  return { revealed, revealing, reveal, hide, show };
}
