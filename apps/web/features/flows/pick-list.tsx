'use client';

import type { ReactNode } from 'react';
import { Button } from '@/components/button';
import { Field } from '@/components/field';
import { formStyles } from '@/components/form-layout';
import { ChevronDownIcon, CloseIcon } from '@/components/icons';
import { SelectMenu } from '@/components/select-menu';
import { moveItem } from './flow-draft';
import styles from './flows.module.css';

export interface Pickable {
  id: string;
  name: string;
  /** A quieter second part, e.g. the kind or the connection and its mode. */
  detail?: ReactNode;
}

/**
 * Resources picked in order (a flow's scripts or imports): each with Move up, Move down and
 * Remove, and a drop-down under them that adds one of the others.
 */
export function PickList({
  label,
  noun,
  picked,
  available,
  onChange,
  error,
  empty,
  disabled,
}: {
  /** "Scripts": names the list. */
  label: string;
  /** "script": in "Add a script", "No other scripts". */
  noun: string;
  picked: Pickable[];
  /** What can still be added. */
  available: Pickable[];
  onChange: (ids: string[]) => void;
  error?: string;
  /** Shown while nothing is picked. */
  empty: ReactNode;
  disabled?: boolean;
}) {
  const ids = picked.map((item) => item.id);
  const aNoun = `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
  return (
    <div className={styles.pickList}>
      {picked.length === 0 ? (
        <p className={styles.pickEmpty}>{empty}</p>
      ) : (
        <ol className={styles.picked} aria-label={label}>
          {picked.map((item, index) => (
            <li key={item.id} className={styles.pickedItem}>
              <span className={styles.pickedOrder}>{index + 1}</span>
              <span className={styles.pickedName}>
                <strong>{item.name}</strong>
                {item.detail ? <span className={styles.pickedDetail}>{item.detail}</span> : null}
              </span>
              {picked.length > 1 ? (
                <>
                  <Button
                    size="small"
                    variant="ghost"
                    aria-label={`Move ${item.name} up`}
                    disabled={disabled || index === 0}
                    onClick={() => onChange(moveItem(ids, index, -1))}
                  >
                    <ChevronDownIcon size={14} className={styles.up} />
                  </Button>
                  <Button
                    size="small"
                    variant="ghost"
                    aria-label={`Move ${item.name} down`}
                    disabled={disabled || index === picked.length - 1}
                    onClick={() => onChange(moveItem(ids, index, 1))}
                  >
                    <ChevronDownIcon size={14} />
                  </Button>
                </>
              ) : null}
              <Button
                size="small"
                variant="ghost"
                aria-label={`Remove ${item.name}`}
                disabled={disabled}
                onClick={() => onChange(ids.filter((id) => id !== item.id))}
              >
                <CloseIcon size={14} />
              </Button>
            </li>
          ))}
        </ol>
      )}
      <Field label={`Add ${aNoun}`} error={error}>
        {(control) => (
          <SelectMenu
            {...control}
            label={label}
            value=""
            disabled={disabled}
            options={available.map((item) => ({
              value: item.id,
              text: item.name,
              label: (
                <span className={formStyles.optionRow}>
                  <strong>{item.name}</strong>
                  {item.detail ? <span className={styles.pickedDetail}>{item.detail}</span> : null}
                </span>
              ),
            }))}
            onChange={(id) => onChange([...ids, id])}
            placeholder={available.length === 0 ? `No other ${noun}s` : `Choose ${aNoun}`}
            empty={`No other ${noun}s in this environment`}
          />
        )}
      </Field>
    </div>
  );
}
