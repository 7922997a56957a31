'use client';

import { useEffect, useState } from 'react';

/** The current time, renewed every `everyMs`: one timer for a whole table of "3 minutes ago". */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
