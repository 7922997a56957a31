// One process of many light agents (case 6). The parent sends `{url, entries}`; this process keeps
// every agent connected (reconnecting 1-3 s after a close, as the real agent does with jitter) and
// reports how many have their welcome, every 100 ms, until told `stop`.
import { addressOf, connectLight } from './light-agent.mjs';

let online = 0;
/** Upgrades the hub refused, by HTTP status (429: too many attempts from one address). */
const refused = {};
let stopping = false;
const sockets = new Set();

function keep({ url, token, index }, ready) {
  let welcomed = false;
  const socket = connectLight({
    url,
    token,
    index,
    localAddress: addressOf(index),
    onRefused: (status) => {
      refused[status] = (refused[status] ?? 0) + 1;
    },
    onWelcome: () => {
      welcomed = true;
      online++;
      ready?.();
    },
    onClose: () => {
      sockets.delete(socket);
      if (welcomed) online--;
      if (!welcomed) ready?.();
      if (!stopping) setTimeout(() => keep({ url, token, index }), 1000 + Math.random() * 2000).unref();
    },
  });
  sockets.add(socket);
}

process.on('message', async (message) => {
  if (message.type === 'start') {
    // At most 100 handshakes in flight from this process.
    const queue = message.entries.map((entry) => ({ url: message.url, ...entry }));
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        for (let entry = queue.shift(); entry; entry = queue.shift())
          await new Promise((resolve) => keep(entry, resolve));
      }),
    );
  } else if (message.type === 'stop') {
    stopping = true;
    for (const socket of sockets) socket.terminate();
    clearInterval(report);
    process.disconnect();
  }
});
const report = setInterval(() => process.send?.({ online, refused }), 100);
