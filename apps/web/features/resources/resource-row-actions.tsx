'use client';

import { useRouter } from 'next/navigation';
import type { ReactNode } from 'react';
import { MenuItem, MenuSeparator } from '@/components/menu';
import { RowActions } from '@/components/row-actions';

/** Actions ▾ of an export, import, script or flow row: what `children` add (Run now), Edit, Delete. */
export function ResourceRowActions({
  name,
  href,
  onDelete,
  children,
}: {
  name: string;
  /** The resource's own page, which Edit opens. */
  href: string;
  onDelete: () => void;
  children?: ReactNode;
}) {
  const router = useRouter();
  return (
    <td>
      <RowActions name={name}>
        {children}
        <MenuItem onSelect={() => router.push(href)}>Edit</MenuItem>
        <MenuSeparator />
        <MenuItem tone="danger" onSelect={onDelete}>
          Delete
        </MenuItem>
      </RowActions>
    </td>
  );
}

/** The header cell over the Actions column. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">Actions</span>
    </th>
  );
}
