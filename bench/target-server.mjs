// The target every transport reaches: `GET /1k` answers 1 KiB, `GET /bytes?n=N` streams N bytes.
// Its own process, so that the load generator and the target do not share an event loop.
import http from 'node:http';

const kib = Buffer.alloc(1024, 'x');
const block = Buffer.alloc(256 * 1024, 'y');
const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://target');
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
