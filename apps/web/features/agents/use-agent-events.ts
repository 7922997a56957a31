'use client';

import { AgentEvent } from '@outpost/protocol/rest/agents';
import { ENVIRONMENT_HEADER } from '@outpost/protocol/rest/environments';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { signInPath } from '@/lib/paths';
import { EventStreamParser } from './event-stream';

/** `connecting` until the first answer; `live` while the stream is open; `reconnecting` after it dropped. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** A stream that stayed open this long was healthy: the next drop starts the back-off again. */
const HEALTHY_MS = 15_000;

/**
 * Follows `GET /v1/agents/events` for the page's environment. EventSource cannot send the
 * environment header, so this reads the stream with fetch. It reconnects with exponential back-off
 * and jitter when the stream drops, and stops when the environment changes or the page unmounts.
 * `onOpen` runs on every (re)connection: events missed while the stream was down are not replayed,
 * so the caller reloads what it shows.
 */
export function useAgentEvents({
  onEvent,
  onOpen,
}: {
  onEvent: (event: AgentEvent) => void;
  onOpen: () => void;
}): LiveState {
  const { slug } = useEnvironment();
  const [state, setState] = useState<LiveState>('connecting');
  // The latest handlers, without reconnecting when the caller passes new functions.
  const handlers = useRef({ onEvent, onOpen });
  useEffect(() => {
    handlers.current = { onEvent, onOpen };
  });

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    setState('connecting');

    void (async () => {
      let attempt = 0;
      while (!signal.aborted) {
        const parser = new EventStreamParser();
        let openedAt: number | undefined;
        try {
          await readEventStream(slug, parser, signal, {
            onOpen: () => {
              openedAt = Date.now();
              setState('live');
              handlers.current.onOpen();
            },
            onEvent: (event) => handlers.current.onEvent(event),
          });
        } catch (error) {
          if (signal.aborted) return;
          // Signed out: the page's next request goes to sign-in; retrying cannot help.
          if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
            setState('reconnecting');
            return;
          }
        }
        if (signal.aborted) return;
        setState('reconnecting');
        if (openedAt !== undefined && Date.now() - openedAt >= HEALTHY_MS) attempt = 0;
        const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
        attempt += 1;
        await sleep(Math.max(ceiling / 2 + Math.random() * (ceiling / 2), parser.retryMs ?? 0), signal);
      }
    })();

    return () => controller.abort();
  }, [slug]);

  return state;
}

/** Reads one connection of the stream until the server ends it; throws when it fails. */
async function readEventStream(
  environment: string,
  parser: EventStreamParser,
  signal: AbortSignal,
  handlers: { onOpen: () => void; onEvent: (event: AgentEvent) => void },
): Promise<void> {
  const response = await fetch('/api/v1/agents/events', {
    headers: { accept: 'text/event-stream', [ENVIRONMENT_HEADER]: environment },
    credentials: 'same-origin',
    cache: 'no-store',
    signal,
  });
  if (response.status === 401 && typeof window !== 'undefined') {
    window.location.assign(signInPath(window.location.pathname + window.location.search));
  }
  if (!response.ok || !response.body) {
    throw new ApiError(response.status, 'stream_failed', `Live updates failed (HTTP ${response.status})`);
  }
  handlers.onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of parser.push(value)) {
        if (message.event !== 'agent.upserted' && message.event !== 'agent.deleted') continue;
        const event = parseAgentEvent(message.data);
        if (event) handlers.onEvent(event);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function parseAgentEvent(data: string): AgentEvent | undefined {
  try {
    const parsed = AgentEvent.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
