'use client';

import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { CheckIcon, WarningIcon } from './icons';
import styles from './toast.module.css';

type ToastTone = 'success' | 'danger';

interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
}

const SHOWN_FOR_MS = 4000;

const ToastContext = createContext<(message: string, tone?: ToastTone) => void>(() => {});

/** Short confirmations ("Member added") and failures of row actions, announced politely. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(0);

  const show = useCallback((message: string, tone: ToastTone = 'success') => {
    nextId.current += 1;
    const id = nextId.current;
    setToasts((current) => [...current.slice(-2), { id, tone, message }]);
    setTimeout(() => setToasts((current) => current.filter((toast) => toast.id !== id)), SHOWN_FOR_MS);
  }, []);

  const value = useMemo(() => show, [show]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className={styles.region} role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={[styles.toast, styles[toast.tone]].join(' ')}>
            {toast.tone === 'success' ? <CheckIcon size={16} /> : <WarningIcon size={16} />}
            {toast.message}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
