import net from 'node:net';

export interface Balancer {
  url: string;
  /** Backends that answered their last /readyz with 200. */
  healthy(): number[];
  close(): Promise<void>;
}

/**
 * A TCP round-robin load balancer for tests, like HAProxy in `mode tcp` with `option httpchk
 * GET /readyz`: every `checkEveryMs` it asks each backend's /readyz, sends each new connection to
 * the next healthy backend, and tries the next one when a backend refuses the connection. Bytes
 * are piped as they are, so WebSocket upgrades pass through.
 */
export async function startBalancer(ports: number[], checkEveryMs = 100): Promise<Balancer> {
  const healthy = new Set<number>();
  let next = 0;
  const check = async () => {
    await Promise.all(
      ports.map(async (port) => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/readyz`, {
            signal: AbortSignal.timeout(1_000),
          });
          await response.arrayBuffer();
          if (response.ok) healthy.add(port);
          else healthy.delete(port);
        } catch {
          healthy.delete(port);
        }
      }),
    );
  };
  await check();
  const timer = setInterval(() => void check(), checkEveryMs);
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const candidates = ports.filter((port) => healthy.has(port));
    const order = candidates.map((_, index) => candidates[(next + index) % candidates.length] as number);
    next += 1;
    const tryNext = () => {
      const port = order.shift();
      if (port === undefined) return client.destroy();
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.on('error', () => {
        if (connected) client.destroy();
        else tryNext();
      });
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryNext();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    healthy: () => [...healthy],
    async close() {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
