import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP destination for flow runs that honours `Idempotency-Key` as a real API would: a key it
 * has seen is answered 200 again without storing anything. It keeps how many times each record
 * id arrived under distinct keys (a typed array, so 100,000 records cost 100 KB, not the heap a
 * test measures), and how many times each key came.
 */
export interface FlowDestination {
  url: string;
  /** Times each record id was stored (index = id). */
  received: Uint8Array;
  /** Records stored, over all keys. */
  stored(): number;
  /** Requests per Idempotency-Key, refused ones too (a retried batch shows as 2). */
  deliveries: Map<string, number>;
  /** Records without a numeric `id` in range, and bodies that were not arrays of records. */
  malformed: number;
  /** The last record stored, as it arrived. */
  lastRecord: unknown;
  /** Called before a request is answered: await to hold it, throw to answer 503. */
  before: ((key: string) => Promise<void> | void) | null;
  /** Forgets what arrived (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startFlowDestination(
  options: { host?: string; maxId?: number } = {},
): Promise<FlowDestination> {
  const received = new Uint8Array((options.maxId ?? 10_000) + 1);
  /** Keys whose records were stored: a request with one of them again changes nothing. */
  const accepted = new Set<string>();
  let stored = 0;
  const destination: FlowDestination = {
    url: '',
    received,
    stored: () => stored,
    deliveries: new Map(),
    malformed: 0,
    lastRecord: null,
    before: null,
    reset: () => {
      received.fill(0);
      stored = 0;
      accepted.clear();
      destination.deliveries.clear();
      destination.malformed = 0;
      destination.lastRecord = null;
      destination.before = null;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const key = String(request.headers['idempotency-key'] ?? '');
    destination.deliveries.set(key, (destination.deliveries.get(key) ?? 0) + 1);
    try {
      await destination.before?.(key);
    } catch {
      response.writeHead(503).end('try again later');
      return;
    }
    if (!key || !accepted.has(key)) {
      if (key) accepted.add(key);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = null;
      }
      const records = Array.isArray(body) ? body : [body];
      for (const record of records) {
        const id = (record as { id?: unknown } | null)?.id;
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= received.length) {
          destination.malformed += 1;
          continue;
        }
        received[id] = (received[id] ?? 0) + 1;
        stored += 1;
        destination.lastRecord = record;
      }
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  server.listen(0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  destination.url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  return destination;
}

/** Ids in [from, to] stored exactly once, and the ids stored more than once. */
export function exactlyOnce(
  destination: FlowDestination,
  from: number,
  to: number,
): { once: number; missing: number; duplicated: number } {
  let onceCount = 0;
  let missing = 0;
  let duplicated = 0;
  for (let id = from; id <= to; id++) {
    const times = destination.received[id] ?? 0;
    if (times === 1) onceCount += 1;
    else if (times === 0) missing += 1;
    else duplicated += 1;
  }
  return { once: onceCount, missing, duplicated };
}
