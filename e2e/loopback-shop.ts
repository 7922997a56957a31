import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The address the flow tests' HTTP system listens on: loopback, but not 127.0.0.1, so that the e2e
 * API can allow exactly it for Cloud connections (`OUTPOST_ALLOW_PRIVATE_TARGETS`) while Cloud
 * connections to 127.0.0.1 stay refused (connections.spec.ts shows that refusal).
 */
export const SHOP_HOST = '127.0.0.2';

export interface Customer {
  id: number;
  first: string;
  last: string | null;
}

/** Five customers; number 3 has no last name, which the flow's script refuses. */
export const CUSTOMERS: Customer[] = [
  { id: 1, first: 'Ada', last: 'Lovelace' },
  { id: 2, first: 'Grace', last: 'Hopper' },
  { id: 3, first: 'Alan', last: null },
  { id: 4, first: 'Edsger', last: 'Dijkstra' },
  { id: 5, first: 'Barbara', last: 'Liskov' },
];

/**
 * A shop and a CRM on one loopback server: `GET /customers?page=N&per_page=M` answers
 * `{ data: [...] }` a page at a time (empty past the end); `GET /customers/endless?page=N` answers
 * one customer a page, slowly (300 ms), and never ends, for a run to cancel; `POST /crm/customers`
 * takes a JSON array of records and keeps every batch it was sent.
 */
export async function startShop() {
  const pagesServed: string[] = [];
  const batches: unknown[][] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${SHOP_HOST}`);
    if (request.method === 'GET' && url.pathname === '/customers') {
      pagesServed.push(url.search);
      const page = Number(url.searchParams.get('page') ?? '1');
      const size = Number(url.searchParams.get('per_page') ?? '100');
      const data = CUSTOMERS.slice((page - 1) * size, page * size);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data, page }));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/customers/endless') {
      pagesServed.push(url.search);
      const page = Number(url.searchParams.get('page') ?? '1');
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ data: [{ id: page, first: 'Customer', last: String(page) }] }));
      }, 300);
      return;
    }
    if (request.method === 'POST' && url.pathname === '/crm/customers') {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        batches.push(JSON.parse(body) as unknown[]);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      });
      return;
    }
    response.writeHead(404);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, SHOP_HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUri: `http://${SHOP_HOST}:${port}`,
    pagesServed,
    batches,
    /** Every record the CRM was sent, in order. */
    received: () => batches.flat(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
