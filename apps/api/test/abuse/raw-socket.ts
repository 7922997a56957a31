import net from 'node:net';

/** A plain TCP client for requests no well-behaved HTTP client would send. */
export interface RawClient {
  socket: net.Socket;
  /** Everything received so far. */
  received(): string;
  /** Bytes received so far. */
  bytes(): number;
  /** Resolves when the server has closed the connection (or it was reset), with how long that took. */
  closed: Promise<{ afterMs: number }>;
}

export async function rawConnect(baseUrl: string): Promise<RawClient> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const started = Date.now();
  const chunks: Buffer[] = [];
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (chunks.length < 64) chunks.push(chunk);
  });
  const closed = new Promise<{ afterMs: number }>((resolve) => {
    socket.once('close', () => resolve({ afterMs: Date.now() - started }));
  });
  socket.on('error', () => {});
  return {
    socket,
    received: () => Buffer.concat(chunks).toString('latin1'),
    bytes: () => bytes,
    closed,
  };
}

/** `closed`, or `'open'` when the connection is still open after `ms`. */
export function closedWithin(client: RawClient, ms: number): Promise<{ afterMs: number } | 'open'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    client.closed,
    new Promise<'open'>((resolve) => {
      timer = setTimeout(() => resolve('open'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
