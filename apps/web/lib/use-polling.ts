'use client';

import { useEffect } from 'react';

/** How often a page with a queued or running flow run asks again (runs have no event stream). */
export const RUN_POLL_MS = 1500;

/** Calls `reload` every `intervalMs` while `active`; stops when it is not, or the page goes. */
export function usePolling(active: boolean, reload: () => void, intervalMs = RUN_POLL_MS) {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, intervalMs);
    return () => clearInterval(timer);
  }, [active, reload, intervalMs]);
}
