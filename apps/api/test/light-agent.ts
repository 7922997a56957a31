import { BinaryKind, decodeChunk, encodeChunk } from '@outpost/protocol/agent/binary';
import { type Hello, type HubFrame, PROTOCOL_VERSION, type Welcome } from '@outpost/protocol/agent/frames';
import WebSocket from 'ws';

/**
 * A protocol-speaking client for hub tests that need to control every frame (fuzzing, duplicate
 * sessions, half-open sockets). Tests of the real agent program use the built agent instead.
 */
export interface LightAgent {
  socket: WebSocket;
  frames: HubFrame[];
  chunks: { id: number; chunk: Buffer }[];
  closed: Promise<{ code: number; reason: string }>;
  welcome(): Promise<Welcome>;
  send(frame: unknown): void;
  sendBinary(id: number, chunk: Buffer): void;
  /** Resolves with the next frame of this type. */
  next<T extends HubFrame['type']>(type: T): Promise<Extract<HubFrame, { type: T }>>;
}

export function helloFrame(overrides: Partial<Hello['agent']> = {}, protocol = PROTOCOL_VERSION): Hello {
  return {
    type: 'hello',
    protocol,
    agent: {
      version: '0.1.0',
      os: 'linux',
      arch: 'x64',
      hostname: 'test-host',
      machineId: 'machine-1',
      pid: 4242,
      nodeVersion: process.version,
      ...overrides,
    },
  };
}

/** Opens a socket to the hub; rejects with the HTTP status when the upgrade is refused. */
export function connectLightAgent(
  baseUrl: string,
  token: string,
  options: { autoPong?: boolean; hello?: Hello | null; localAddress?: string } = {},
): Promise<LightAgent> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/agent/connect`, {
    headers: { authorization: `Bearer ${token}` },
    // Another loopback address (127.0.0.x) counts as another client for the hub's attempt limits.
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    autoPong: options.autoPong ?? true,
    perMessageDeflate: false,
  });
  const frames: HubFrame[] = [];
  const chunks: { id: number; chunk: Buffer }[] = [];
  const waiters: { type: string; resolve: (frame: HubFrame) => void }[] = [];
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      const decoded = decodeChunk(data as Buffer);
      if (decoded) chunks.push({ id: decoded.id, chunk: decoded.chunk });
      return;
    }
    const frame = JSON.parse(data.toString()) as HubFrame;
    frames.push(frame);
    const index = waiters.findIndex((waiter) => waiter.type === frame.type);
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = <T extends HubFrame['type']>(type: T) => {
    const seen = frames.find((frame) => frame.type === type && !consumed.has(frame));
    if (seen) {
      consumed.add(seen);
      return Promise.resolve(seen as Extract<HubFrame, { type: T }>);
    }
    return new Promise<Extract<HubFrame, { type: T }>>((resolve) =>
      waiters.push({
        type,
        resolve: (frame) => {
          consumed.add(frame);
          resolve(frame as Extract<HubFrame, { type: T }>);
        },
      }),
    );
  };
  const consumed = new Set<HubFrame>();
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_request, response) =>
      reject(Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode })),
    );
    socket.once('error', reject);
    socket.once('open', () => {
      if (options.hello !== null) socket.send(JSON.stringify(options.hello ?? helloFrame()));
      resolve({
        socket,
        frames,
        chunks,
        closed,
        welcome: () => next('welcome'),
        next,
        send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        sendBinary: (id, chunk) => socket.send(encodeChunk(BinaryKind.RESPONSE_BODY, id, chunk)),
      });
    });
  });
}
