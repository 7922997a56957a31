import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Target {
  url: string;
  close(): Promise<void>;
}

const block = Buffer.alloc(256 * 1024, 'y');

/**
 * What the agents reach in scale-out tests: `GET /bytes?n=N` streams N bytes, `POST /echo` streams
 * the request body back, `GET /slow?ms=N` answers after N ms.
 */
export async function startTarget(): Promise<Target> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://target');
    if (url.pathname === '/bytes') {
      let left = Number(url.searchParams.get('n'));
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': left });
      const write = () => {
        while (left > 0) {
          const chunk = left >= block.length ? block : block.subarray(0, left);
          left -= chunk.length;
          if (!response.write(chunk)) return void response.once('drain', write);
        }
        response.end();
      };
      return write();
    }
    if (url.pathname === '/echo') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      request.pipe(response);
      return;
    }
    if (url.pathname === '/slow') {
      setTimeout(
        () => response.writeHead(200, { 'content-type': 'text/plain' }).end('slow'),
        Number(url.searchParams.get('ms')),
      );
      return;
    }
    response.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
