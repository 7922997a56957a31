'use client';

import {
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { CheckIcon, ChevronDownIcon } from './icons';
import styles from './select-menu.module.css';

export interface SelectMenuOption {
  value: string;
  /** What the option shows in the list, e.g. a name and a status. */
  label: ReactNode;
  /** What the closed control shows once this option is chosen; the label by default. */
  selectedLabel?: ReactNode;
  /** The option's plain text, for jumping to it by typing. */
  text: string;
  disabled?: boolean;
}

export interface SelectMenuProps {
  id?: string;
  /** The list's accessible name, e.g. "Agents"; the control itself is named by its Field label. */
  label: string;
  value: string;
  options: readonly SelectMenuOption[];
  onChange: (value: string) => void;
  /** Shown while nothing is chosen. */
  placeholder?: ReactNode;
  /** In the popup under the options, e.g. a link to where more are made. */
  footer?: ReactNode;
  /** In the popup when there are no options. */
  empty?: ReactNode;
  disabled?: boolean;
  className?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

/** Pixels between the control and the popup. */
const GAP = 4;
/** Typed letters within this long of each other make one search ("war" → "Warehouse"). */
const TYPEAHEAD_MS = 600;

/**
 * A drop-down whose options can show more than text, e.g. a status dot (a native `<select>` cannot):
 * the WAI-ARIA select-only combobox. Focus stays on the control; arrows, Home and End move, Enter,
 * Space or a click chooses, Escape closes, typing jumps to an option.
 */
export function SelectMenu({
  id,
  label,
  value,
  options,
  onChange,
  placeholder = 'Choose…',
  footer,
  empty,
  disabled,
  className,
  ...aria
}: SelectMenuProps) {
  const generatedId = useId();
  const controlId = id ?? generatedId;
  const listId = `${controlId}-list`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const controlRef = useRef<HTMLButtonElement>(null);
  const popupRef = useRef<HTMLDivElement>(null);
  const typed = useRef({ text: '', at: 0 });

  const selectedIndex = options.findIndex((option) => option.value === value);
  const selected = options[selectedIndex];
  const optionId = (index: number) => `${controlId}-option-${index}`;

  function enabledFrom(start: number, step: 1 | -1): number {
    for (let index = start; index >= 0 && index < options.length; index += step) {
      if (!options[index]?.disabled) return index;
    }
    return -1;
  }

  function show() {
    setActive(selectedIndex >= 0 ? selectedIndex : enabledFrom(0, 1));
    setOpen(true);
  }

  function choose(index: number) {
    const option = options[index];
    if (!option || option.disabled) return;
    onChange(option.value);
    setOpen(false);
  }

  useLayoutEffect(() => {
    const popup = popupRef.current;
    const control = controlRef.current;
    if (!open || !popup || !control) return;
    function place() {
      if (!popup || !control) return;
      const anchor = control.getBoundingClientRect();
      const viewport = document.documentElement.clientHeight;
      const roomBelow = viewport - anchor.bottom;
      const upwards = roomBelow < popup.offsetHeight + GAP && anchor.top > roomBelow;
      popup.style.left = `${anchor.left}px`;
      popup.style.width = `${anchor.width}px`;
      popup.style.top = `${upwards ? anchor.top - GAP - popup.offsetHeight : anchor.bottom + GAP}px`;
    }
    place();
    window.addEventListener('resize', place);
    window.addEventListener('scroll', place, true);
    return () => {
      window.removeEventListener('resize', place);
      window.removeEventListener('scroll', place, true);
    };
  }, [open]);

  useEffect(() => {
    if (!open) return;
    function onPointerDown(event: PointerEvent) {
      const target = event.target;
      if (!(target instanceof Node)) return;
      if (controlRef.current?.contains(target) || popupRef.current?.contains(target)) return;
      setOpen(false);
    }
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  useEffect(() => {
    if (open && active >= 0)
      document.getElementById(`${controlId}-option-${active}`)?.scrollIntoView({ block: 'nearest' });
  }, [open, active, controlId]);

  function jumpTo(key: string) {
    const now = Date.now();
    typed.current = {
      text:
        now - typed.current.at < TYPEAHEAD_MS ? typed.current.text + key.toLowerCase() : key.toLowerCase(),
      at: now,
    };
    const { text } = typed.current;
    const order = [...options.keys()].map((offset) => (Math.max(active, 0) + offset) % options.length);
    // A repeated letter cycles through the options that start with it.
    const start = text.length === 1 ? order.slice(1).concat(order.slice(0, 1)) : order;
    const match = start.find((index) => {
      const option = options[index];
      return option && !option.disabled && option.text.toLowerCase().startsWith(text);
    });
    if (match !== undefined) setActive(match);
  }

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    if (!open) {
      if (['ArrowDown', 'ArrowUp', 'Enter', ' '].includes(event.key)) {
        event.preventDefault();
        show();
      }
      return;
    }
    switch (event.key) {
      case 'ArrowDown': {
        event.preventDefault();
        const next = enabledFrom(active + 1, 1);
        if (next >= 0) setActive(next);
        break;
      }
      case 'ArrowUp': {
        event.preventDefault();
        const previous = enabledFrom(active - 1, -1);
        if (previous >= 0) setActive(previous);
        break;
      }
      case 'Home':
        event.preventDefault();
        setActive(enabledFrom(0, 1));
        break;
      case 'End':
        event.preventDefault();
        setActive(enabledFrom(options.length - 1, -1));
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        if (active >= 0) choose(active);
        else setOpen(false);
        break;
      case 'Escape':
        event.preventDefault();
        setOpen(false);
        break;
      case 'Tab':
        if (active >= 0) choose(active);
        setOpen(false);
        break;
      default:
        if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) jumpTo(event.key);
    }
  }

  return (
    <>
      <button
        ref={controlRef}
        id={controlId}
        type="button"
        role="combobox"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open && active >= 0 ? optionId(active) : undefined}
        aria-invalid={aria['aria-invalid']}
        aria-describedby={aria['aria-describedby']}
        disabled={disabled}
        className={[className, styles.control].filter(Boolean).join(' ')}
        onClick={() => (open ? setOpen(false) : show())}
        onKeyDown={onKeyDown}
      >
        <span className={styles.value}>
          {selected ? (
            (selected.selectedLabel ?? selected.label)
          ) : (
            <span className={styles.placeholder}>{placeholder}</span>
          )}
        </span>
        <ChevronDownIcon size={16} className={styles.chevron} />
      </button>
      {open ? (
        <div ref={popupRef} className={styles.popup}>
          {options.length === 0 ? (
            <div className={styles.empty}>{empty ?? 'Nothing to choose from'}</div>
          ) : (
            <div id={listId} role="listbox" aria-label={label} className={styles.list}>
              {options.map((option, index) => (
                // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard works on the combobox, which keeps focus (aria-activedescendant).
                <div
                  key={option.value}
                  id={optionId(index)}
                  role="option"
                  tabIndex={-1}
                  aria-selected={option.value === value}
                  aria-disabled={option.disabled || undefined}
                  className={[styles.option, index === active ? styles.active : ''].join(' ')}
                  onPointerDown={(event) => event.preventDefault()}
                  onPointerMove={() => !option.disabled && index !== active && setActive(index)}
                  onClick={() => choose(index)}
                >
                  <span className={styles.optionLabel}>{option.label}</span>
                  {option.value === value ? <CheckIcon size={15} className={styles.check} /> : null}
                </div>
              ))}
            </div>
          )}
          {footer ? <div className={styles.footer}>{footer}</div> : null}
        </div>
      ) : null}
    </>
  );
}
