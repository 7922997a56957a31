import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { generateToken } from '@outpost/protocol/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type AgentProcess, runAgent } from './agent-process.ts';
import { type FuzzFrame, frameFuzzer } from './fuzz-frames.ts';

/**
 * A protocol fuzzer at the agent: a WebSocket server on loopback that real agent processes connect
 * to (`--url` points at it). It is not a stand-in hub: after each agent's hello and a welcome, it
 * sends thousands of random and mutated frames, each followed by a probe (a valid ping request).
 * Every frame must either be harmless (the probe is answered) or close the socket with 4004 after
 * an `error` frame (1009 from the WebSocket layer for a frame over 1 MiB). The agents must never
 * crash, must keep reconnecting, and must log a line per protocol error.
 */

const AGENTS = 3;
const CONNECTIONS_PER_AGENT = 4;
const MIN_FRAMES = 3000;
const SOFT_FRAMES_PER_CONNECTION = 300;
const HARD_FRAMES_PER_CONNECTION = 200;
/** Probe ids live above anything the fuzzer itself uses as an id. */
const FIRST_PROBE_ID = 3_000_000_000;

const seed = Number(process.env.OUTPOST_FUZZ_SEED ?? Date.now() % 2 ** 31);
let frames: ReturnType<typeof frameFuzzer>;

interface Close {
  code: number;
  reason: string;
  label: string;
  size: number;
  /** The agent said why in an `error` frame first. */
  saidWhy: boolean;
}

interface AgentRecord {
  connections: number;
  closes: Close[];
  frames: number;
  hardFrames: number;
  harmlessHardFrames: number;
}

/** One agent connection: hello, welcome, then frame after frame, each with a probe. */
async function fuzz(
  socket: WebSocket,
  records: Map<number, AgentRecord>,
  stop: () => boolean,
): Promise<void> {
  const waiters = new Map<number, () => void>();
  let errorFrames = 0;
  let helloPid: number | undefined;
  let hello: (() => void) | undefined;
  const helloArrived = new Promise<void>((resolve) => {
    hello = resolve;
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data: RawData, isBinary) => {
    if (isBinary) return;
    const frame = JSON.parse(data.toString()) as { type: string; id?: number; agent?: { pid: number } };
    if (frame.type === 'hello') {
      helloPid = frame.agent?.pid;
      hello?.();
    } else if (frame.type === 'error') errorFrames += 1;
    else if (frame.type === 'response' && frame.id !== undefined) waiters.get(frame.id)?.();
  });
  await Promise.race([helloArrived, closed]);
  const record = helloPid === undefined ? undefined : records.get(helloPid);
  if (!record) throw new Error(`a connection from an unknown agent (pid ${helloPid})`);
  record.connections += 1;
  socket.send(JSON.stringify(frames.welcomeFrame()));

  let probeId = FIRST_PROBE_ID + record.connections * 1_000_000;
  /** Sends one frame and a probe: true while the socket stays open. */
  const trial = async (frame: FuzzFrame): Promise<boolean> => {
    const errorsBefore = errorFrames;
    const id = ++probeId;
    const answered = new Promise<'answered'>((resolve) => waiters.set(id, () => resolve('answered')));
    socket.send(frame.data, { binary: frame.binary });
    socket.send(
      JSON.stringify({ type: 'request', id, deadline: Date.now() + 10_000, op: { kind: 'ping', input: {} } }),
    );
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      answered,
      closed,
      new Promise<'silent'>((resolve) => {
        timer = setTimeout(() => resolve('silent'), 10_000);
      }),
    ]);
    clearTimeout(timer);
    waiters.delete(id);
    record.frames += 1;
    if (outcome === 'answered') return true;
    if (outcome === 'silent')
      throw new Error(`the agent neither answered nor closed after a ${frame.label} frame`);
    const size = Buffer.byteLength(frame.data);
    record.closes.push({ ...outcome, label: frame.label, size, saidWhy: errorFrames > errorsBefore });
    return false;
  };

  for (let i = 0; i < SOFT_FRAMES_PER_CONNECTION; i++) if (!(await trial(frames.softFrame()))) return;
  for (let i = 0; i < HARD_FRAMES_PER_CONNECTION; i++) {
    record.hardFrames += 1;
    if (!(await trial(frames.hardFrame()))) return;
    record.harmlessHardFrames += 1;
  }
  if (stop()) socket.close(1001, 'fuzzing is over');
  else socket.close(4000, 'no frame closed this connection; next one');
  await closed;
}

let server: WebSocketServer;
let sink: http.Server;
let url: string;

beforeAll(async () => {
  sink = http.createServer((_request, response) => response.end('ok'));
  sink.listen(0, '127.0.0.1');
  await once(sink, 'listening');
  frames = frameFuzzer(seed, `http://127.0.0.1:${(sink.address() as AddressInfo).port}`);
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/v1/agent/connect' });
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const client of server?.clients ?? []) client.terminate();
  server?.close();
  sink?.closeAllConnections();
  sink?.close();
});

describe('the agent under a protocol fuzzer', () => {
  it('closes with a protocol error or ignores every frame, never crashes, reconnects and logs each error', async () => {
    const records = new Map<number, AgentRecord>();
    const agents: AgentProcess[] = [];
    const failures: unknown[] = [];
    const total = () => [...records.values()].reduce((sum, record) => sum + record.frames, 0);
    const done = () =>
      total() >= MIN_FRAMES &&
      [...records.values()].every((record) => record.connections >= CONNECTIONS_PER_AGENT);
    server.on('connection', (socket) => {
      fuzz(socket, records, done).catch((error: unknown) => {
        failures.push(error);
        socket.terminate();
      });
    });
    try {
      for (let i = 0; i < AGENTS; i++) {
        const agent = await runAgent(url, generateToken('agent'));
        agents.push(agent);
        records.set(agent.child.pid ?? -1, {
          connections: 0,
          closes: [],
          frames: 0,
          hardFrames: 0,
          harmlessHardFrames: 0,
        });
      }
      await expect.poll(() => failures.length > 0 || done(), { timeout: 100_000, interval: 200 }).toBe(true);
      expect(failures, `fuzz seed ${seed}`).toEqual([]);

      for (const agent of agents) {
        const record = records.get(agent.child.pid ?? -1);
        if (!record) throw new Error('no record');
        expect(agent.child.exitCode, agent.output()).toBeNull();
        for (const close of record.closes) {
          const context = `seed ${seed}: ${close.label} (${close.size} bytes) → ${close.code} ${close.reason}`;
          if (close.code === 4000 || close.code === 1001) continue; // the fuzzer closed it
          if (close.label === 'oversized') {
            // Refused by the WebSocket layer before any handler sees it.
            expect(close.code, context).toBe(1009);
          } else {
            expect(close.code, context).toBe(CloseCode.PROTOCOL_ERROR);
            expect(close.saidWhy, context).toBe(true);
            expect(close.reason, context).not.toBe('');
          }
        }
        const protocolErrors = record.closes.filter(
          (close) => close.code === 4004 || close.code === 1009,
        ).length;
        expect(protocolErrors).toBeGreaterThan(0);
        // A line per protocol error: "disconnected (4004, protocol error: …); reconnecting in 1.2 s".
        await expect
          .poll(
            () =>
              agent
                .output()
                .match(/WARN {2}disconnected \((4004|1009), protocol error: .+\); reconnecting in/g)
                ?.length ?? 0,
          )
          .toBeGreaterThanOrEqual(protocolErrors);
        // Reconnects: every connection after the first.
        expect(agent.output().match(/INFO {2}connecting to /g)?.length ?? 0).toBeGreaterThanOrEqual(
          record.connections,
        );
        // No crash, no stack trace, and no text from the fuzzer starting a log line of its own.
        const stray = agent
          .output()
          .split('\n')
          .filter((line) => line && !/^\d{4}-\d\d-\d\dT[\d:.]+Z (INFO |WARN |ERROR) /.test(line));
        expect(stray, `seed ${seed}`).toEqual([]);
      }
      const all = [...records.values()];
      console.info(
        `fuzz seed ${seed}: ${total()} frames (${all.reduce((sum, r) => sum + r.hardFrames, 0)} hard, ` +
          `${all.reduce((sum, r) => sum + r.harmlessHardFrames, 0)} of them harmless) over ` +
          `${all.reduce((sum, r) => sum + r.connections, 0)} connections of ${AGENTS} agents`,
      );
    } finally {
      for (const agent of agents) await agent.stop();
    }
  });
});
