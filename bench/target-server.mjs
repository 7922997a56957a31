// The target every transport reaches: `GET /1k` answers 1 KiB, `GET /bytes?n=N` streams N bytes,
// `POST /sink` takes a flow import's batches (once per Idempotency-Key) and `GET /sink?run=ID`
// says how many records of that run arrived. Its own process, so that the load generator and the
// target do not share an event loop.
import http from 'node:http';

const kib = Buffer.alloc(1024, 'x');
const block = Buffer.alloc(256 * 1024, 'y');
/** Per flow run: the records accepted and the batches seen again under a key already accepted. */
const sink = new Map();
const acceptedKeys = new Set();

function receive(request, response) {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const key = String(request.headers['idempotency-key'] ?? '');
    const run = key.split(':')[1] ?? '';
    const seen = sink.get(run) ?? { records: 0, repeated: 0 };
    sink.set(run, seen);
    if (acceptedKeys.has(key)) seen.repeated++;
    else {
      acceptedKeys.add(key);
      seen.records += JSON.parse(Buffer.concat(chunks).toString('utf8')).length;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://target');
  if (url.pathname === '/sink') {
    if (request.method === 'POST') return receive(request, response);
    const seen = sink.get(url.searchParams.get('run') ?? '') ?? { records: 0, repeated: 0 };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
    return;
  }
  if (url.pathname === '/1k') {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': kib.length });
    response.end(kib);
    return;
  }
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
    write();
    return;
  }
  response.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
