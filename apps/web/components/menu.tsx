'use client';

import Link from 'next/link';
import {
  createContext,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { CheckIcon } from './icons';
import styles from './menu.module.css';

const MenuContext = createContext<{ close: (returnFocus?: boolean) => void }>({ close: () => {} });

const ITEM_SELECTOR = '[role="menuitem"],[role="menuitemradio"]';
/** Pixels between the trigger and the menu. */
const GAP = 6;

export interface MenuProps {
  /** The trigger's accessible name, e.g. "Environment: Production". */
  label: string;
  /** What the trigger shows. */
  trigger: ReactNode;
  triggerClassName?: string;
  align?: 'start' | 'end';
  children: ReactNode;
  'data-testid'?: string;
}

/** A menu button (WAI-ARIA pattern): arrows move, Escape closes, a click outside closes. */
export function Menu({ label, trigger, triggerClassName, align = 'start', children, ...rest }: MenuProps) {
  const [open, setOpen] = useState(false);
  const wrapperRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const close = useCallback((returnFocus = false) => {
    setOpen(false);
    if (returnFocus) triggerRef.current?.focus();
  }, []);

  // Fixed to the viewport, beside the trigger: a menu in a table row must not be cut off by the
  // table's scroll area or its panel. Opens upwards when there is no room below.
  useLayoutEffect(() => {
    const menu = menuRef.current;
    const button = triggerRef.current;
    if (!open || !menu || !button) return;
    function place() {
      if (!menu || !button) return;
      const anchor = button.getBoundingClientRect();
      const viewport = document.documentElement;
      const roomBelow = viewport.clientHeight - anchor.bottom;
      const upwards = roomBelow < menu.offsetHeight + GAP && anchor.top > roomBelow;
      menu.style.position = 'fixed';
      menu.style.top = `${upwards ? anchor.top - GAP - menu.offsetHeight : anchor.bottom + GAP}px`;
      if (align === 'end') menu.style.right = `${viewport.clientWidth - anchor.right}px`;
      else menu.style.left = `${anchor.left}px`;
    }
    place();
    window.addEventListener('resize', place);
    window.addEventListener('scroll', place, true);
    return () => {
      window.removeEventListener('resize', place);
      window.removeEventListener('scroll', place, true);
    };
  }, [open, align]);

  useEffect(() => {
    if (!open) return;
    const items = menuItems(menuRef.current);
    const checked = items.find((item) => item.getAttribute('aria-checked') === 'true');
    (checked ?? items[0])?.focus();
    function onPointerDown(event: PointerEvent) {
      if (event.target instanceof Node && !wrapperRef.current?.contains(event.target)) setOpen(false);
    }
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  function onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const items = menuItems(menuRef.current);
    const index = items.indexOf(document.activeElement as HTMLElement);
    const focus = (next: number) => items[(next + items.length) % items.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        focus(index + 1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        focus(index - 1);
        break;
      case 'Home':
        event.preventDefault();
        focus(0);
        break;
      case 'End':
        event.preventDefault();
        focus(items.length - 1);
        break;
      case 'Escape':
        event.preventDefault();
        close(true);
        break;
      case 'Tab':
        close();
        break;
    }
  }

  return (
    <div className={styles.wrapper} ref={wrapperRef} data-testid={rest['data-testid']}>
      <button
        ref={triggerRef}
        type="button"
        className={triggerClassName ?? styles.trigger}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={label}
        onClick={() => setOpen((wasOpen) => !wasOpen)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        {trigger}
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={label}
          className={[styles.menu, styles[align]].join(' ')}
          onKeyDown={onMenuKeyDown}
        >
          <MenuContext.Provider value={{ close }}>{children}</MenuContext.Provider>
        </div>
      ) : null}
    </div>
  );
}

function menuItems(menu: HTMLElement | null): HTMLElement[] {
  return menu ? Array.from(menu.querySelectorAll<HTMLElement>(ITEM_SELECTOR)) : [];
}

export function MenuItem({
  onSelect,
  tone,
  icon,
  children,
}: {
  onSelect: () => void;
  tone?: 'danger';
  icon?: ReactNode;
  children: ReactNode;
}) {
  const { close } = useContext(MenuContext);
  return (
    <button
      type="button"
      role="menuitem"
      tabIndex={-1}
      className={[styles.item, tone === 'danger' ? styles.danger : ''].join(' ')}
      onClick={() => {
        close(true);
        onSelect();
      }}
    >
      {icon}
      {children}
    </button>
  );
}

/**
 * A plain link as a menu item, e.g. a file to download: the browser follows it (with the session
 * cookie), so downloads need no script.
 */
export function MenuLink({
  href,
  download = false,
  icon,
  description,
  children,
}: {
  href: string;
  /** Save the answer as a file (named by the server) instead of opening it. */
  download?: boolean;
  icon?: ReactNode;
  /** A second, quieter line, e.g. the file name and size. */
  description?: ReactNode;
  children: ReactNode;
}) {
  const { close } = useContext(MenuContext);
  return (
    <a
      href={href}
      download={download || undefined}
      role="menuitem"
      tabIndex={-1}
      className={styles.item}
      // After the browser has followed the link: a link removed during its click is not followed.
      onClick={() => setTimeout(() => close(true), 0)}
    >
      {icon}
      <span>
        {children}
        {description ? <span className={styles.description}>{description}</span> : null}
      </span>
    </a>
  );
}

/** One choice of several, e.g. an environment; `checked` marks the current one. */
export function MenuRadioLink({
  href,
  checked,
  children,
}: {
  href: string;
  checked: boolean;
  children: ReactNode;
}) {
  const { close } = useContext(MenuContext);
  return (
    <Link
      href={href}
      role="menuitemradio"
      aria-checked={checked}
      tabIndex={-1}
      className={styles.item}
      onClick={() => close(true)}
    >
      {children}
      {checked ? <CheckIcon className={styles.check} size={15} /> : null}
    </Link>
  );
}

/** Like MenuRadioLink, for choices that call the API rather than navigate (e.g. switching account). */
export function MenuRadioItem({
  checked,
  onSelect,
  description,
  children,
}: {
  checked: boolean;
  onSelect: () => void;
  /** A second, quieter line, e.g. the role in that account. */
  description?: ReactNode;
  children: ReactNode;
}) {
  const { close } = useContext(MenuContext);
  return (
    <button
      type="button"
      role="menuitemradio"
      aria-checked={checked}
      tabIndex={-1}
      className={styles.item}
      onClick={() => {
        close();
        if (!checked) onSelect();
      }}
    >
      <span>
        {children}
        {description ? <span className={styles.description}>{description}</span> : null}
      </span>
      {checked ? <CheckIcon className={styles.check} size={15} /> : null}
    </button>
  );
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return (
    <div className={styles.label} role="presentation">
      {children}
    </div>
  );
}

export function MenuText({ children }: { children: ReactNode }) {
  return (
    <div className={styles.text} role="presentation">
      {children}
    </div>
  );
}

export function MenuSeparator() {
  return <hr className={styles.separator} />;
}
