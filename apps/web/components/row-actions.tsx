'use client';

import type { ReactNode } from 'react';
import { MoreIcon } from './icons';
import { Menu } from './menu';
import { CellActions } from './table';

/** The "Actions ▾" menu at the end of a table row; `name` is what the row is, for screen readers. */
export function RowActions({ name, children }: { name: string; children: ReactNode }) {
  return (
    <CellActions>
      <Menu
        label={`Actions for ${name}`}
        align="end"
        trigger={
          <>
            Actions <MoreIcon size={15} />
          </>
        }
      >
        {children}
      </Menu>
    </CellActions>
  );
}
