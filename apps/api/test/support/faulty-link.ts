import net from 'node:net';

/**
 * A bad network link between the agent and the API, as a TCP relay on loopback: the agent dials
 * the relay, which forwards to the API. This kernel has no `sch_netem` (tc answers "Specified
 * qdisc kind is unknown") and no iptables, so the link's faults are made here, at the TCP level:
 *
 * - latency: every chunk is held `delayMs` in each direction, in order;
 * - loss: TCP hides a lost packet behind a retransmission, so the reader sees it as a stall of one
 *   retransmission timeout; a chunk is "lost" with probability `loss` and then arrives `rtoMs`
 *   later, holding everything behind it (head-of-line blocking, as in TCP);
 * - blackhole: nothing passes either way, not even a close, and new connections hang; on
 *   `restore()` what was held goes through (as TCP retransmits it) and held closes happen.
 */
export interface FaultyLink {
  /** ws/http URL of the relay, for the agent. */
  url: string;
  /** Connections made through the relay so far (the agent's reconnections show here). */
  connections(): number;
  degrade(options: { delayMs: number; loss: number; rtoMs?: number }): void;
  blackhole(): void;
  /** A clean link again. */
  restore(): void;
  close(): Promise<void>;
}

interface Direction {
  from: net.Socket;
  to: net.Socket;
  /** Chunks on their way, oldest first, each with when it may leave: none overtakes another. */
  queue: { at: number; send: () => void }[];
  timer: NodeJS.Timeout | null;
}

export async function startFaultyLink(target: { host: string; port: number }): Promise<FaultyLink> {
  let delayMs = 0;
  let loss = 0;
  let rtoMs = 1_000;
  let holding = false;
  let accepted = 0;
  /** Work that waits for the end of a blackhole, in order. */
  let held: (() => void)[] = [];
  const sockets = new Set<net.Socket>();

  const directions = new Set<Direction>();
  const whenOpen = (task: () => void) => {
    if (holding) held.push(task);
    else task();
  };
  /** Sends what is due, in order; waits for the head of the queue otherwise. */
  const drain = (direction: Direction) => {
    direction.timer = null;
    for (;;) {
      if (holding) return;
      const head = direction.queue[0];
      if (!head) return;
      const wait = head.at - Date.now();
      if (wait > 0) {
        direction.timer = setTimeout(() => drain(direction), wait);
        return;
      }
      direction.queue.shift();
      head.send();
    }
  };
  const enqueue = (direction: Direction, extraMs: number, send: () => void) => {
    const last = direction.queue.at(-1)?.at ?? 0;
    direction.queue.push({ at: Math.max(Date.now() + delayMs + extraMs, last), send });
    if (!direction.timer) drain(direction);
  };
  const forward = (direction: Direction, chunk: Buffer) => {
    const lost = loss > 0 && Math.random() < loss;
    enqueue(direction, lost ? rtoMs : 0, () => direction.to.destroyed || direction.to.write(chunk));
  };
  const pipe = (direction: Direction) => {
    directions.add(direction);
    direction.from.on('data', (chunk: Buffer) => {
      if (holding) held.push(() => forward(direction, chunk));
      else forward(direction, chunk);
    });
    // A close (FIN or reset) travels like data: after what was sent before it.
    let closing = false;
    const close = () => {
      if (closing) return;
      closing = true;
      const task = () =>
        enqueue(direction, 0, () => {
          direction.to.destroy();
          directions.delete(direction);
        });
      if (holding) held.push(task);
      else task();
    };
    direction.from.on('end', close);
    direction.from.on('error', close);
    direction.from.on('close', close);
  };

  const server = net.createServer((client) => {
    accepted += 1;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    // A connection made during a blackhole reaches the API only once it is over (a SYN retried).
    whenOpen(() => {
      const upstream = net.connect(target.port, target.host);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      pipe({ from: client, to: upstream, queue: [], timer: null });
      pipe({ from: upstream, to: client, queue: [], timer: null });
      client.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    degrade(options) {
      delayMs = options.delayMs;
      loss = options.loss;
      rtoMs = options.rtoMs ?? 1_000;
    },
    blackhole() {
      holding = true;
    },
    restore() {
      delayMs = 0;
      loss = 0;
      holding = false;
      // What was on its way first, then what arrived during the blackhole.
      for (const direction of directions) if (!direction.timer) drain(direction);
      const tasks = held;
      held = [];
      for (const task of tasks) task();
    },
    async close() {
      for (const direction of directions) if (direction.timer) clearTimeout(direction.timer);
      held = [];
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
