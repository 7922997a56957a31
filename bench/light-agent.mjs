// A protocol-speaking light agent: it connects, says hello, answers pings (the ws library does),
// and nothing else. Many of them fit in one process; they stand in for idle agents.
import { createRequire } from 'node:module';
import path from 'node:path';
import { root } from './lib.mjs';

const require = createRequire(path.join(root, 'apps/api/package.json'));
const WebSocket = require('ws');

const hello = (index) =>
  JSON.stringify({
    type: 'hello',
    protocol: 1,
    agent: {
      version: '0.1.0',
      os: 'linux',
      arch: 'x64',
      hostname: `bench-${index}`,
      machineId: `bench-machine-${index}`,
      pid: 10_000 + index,
      nodeVersion: process.version,
    },
  });

/**
 * Connects one light agent. `localAddress` spreads them over 127.0.0.0/8 (the hub limits
 * connection attempts per address, as it should). Events: `welcome` and `closed` callbacks.
 */
export function connectLight({ url, token, index, localAddress, onWelcome, onClose, onRefused }) {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/agent/connect`, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
    localAddress,
  });
  socket.on('open', () => socket.send(hello(index)));
  socket.on('message', (data, isBinary) => {
    if (!isBinary && data.toString().includes('"type":"welcome"')) onWelcome?.();
  });
  socket.on('unexpected-response', (_request, response) => {
    onRefused?.(response.statusCode);
    response.resume();
    socket.terminate();
  });
  socket.on('error', () => {});
  socket.on('close', (code) => onClose?.(code));
  return socket;
}

/** The loopback address the i-th light agent connects from: 50 per address. */
export const addressOf = (index) =>
  `127.0.${1 + Math.floor(index / 50 / 250)}.${1 + (Math.floor(index / 50) % 250)}`;
