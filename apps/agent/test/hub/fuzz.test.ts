import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode } from '@outpost/protocol/agent/close-codes';
import { fuzzBudget } from '@outpost/protocol/testing/fuzz';
import { generateToken } from '@outpost/protocol/tokens';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type AgentProcess, runAgent } from './agent-process.ts';
import { frameSequence, type RawFrame, welcomeFrame } from './fuzz-frames.ts';

/**
 * A protocol fuzzer at the agent (fast-check): a WebSocket server on loopback that real agent
 * processes connect to (`--url` points at it). It is not a stand-in hub: after each agent's hello
 * and a welcome, each run sends a generated sequence of frames (see fuzz-frames.ts), each followed
 * by a probe (a valid ping request). Every frame must either be harmless (the probe is answered)
 * or close the socket with 4004 after an `error` frame (1009 from the WebSocket layer for a frame
 * over 1 MiB; a `goaway` closes it as asked). The agents must never crash, must keep reconnecting,
 * and must log a line per protocol error. A failing sequence shrinks to the frames that matter.
 * `OUTPOST_FUZZ_RUNS` sequences (default 60).
 */

const budget = fuzzBudget(60);
const AGENTS = 4;
/** An agent whose back-off has grown this far (its consecutive closes) is replaced by a fresh one. */
const MAX_CONSECUTIVE_CLOSES = 2;
/** Probe ids live above anything the fuzzer itself uses as an id. */
const FIRST_PROBE_ID = 3_000_000_000;
const PROBE_MS = 10_000;

interface Close {
  code: number;
  reason: string;
  label: string;
  size: number;
  /** The agent said why in an `error` frame first. */
  saidWhy: boolean;
}

interface AgentRecord {
  agent: AgentProcess;
  connections: number;
  closes: Close[];
  consecutiveCloses: number;
  frames: number;
}

/** A welcomed connection of an agent, ready for a sequence. */
interface Connection {
  socket: WebSocket;
  record: AgentRecord;
  closed: Promise<{ code: number; reason: string }>;
  errorFrames: number;
  waiters: Map<number, () => void>;
  probeId: number;
}

let server: WebSocketServer;
let sink: http.Server;
let url: string;
let sinkUrl: string;
const records = new Map<number, AgentRecord>();
const ready: Connection[] = [];
const readyWaiters: (() => void)[] = [];
const failures: unknown[] = [];

function accept(socket: WebSocket): void {
  const waiters = new Map<number, () => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  let connection: Connection | undefined;
  socket.on('message', (data: RawData, isBinary) => {
    if (isBinary) return;
    const frame = JSON.parse(data.toString()) as { type: string; id?: number; agent?: { pid: number } };
    if (frame.type === 'hello') {
      const pid = frame.agent?.pid ?? -1;
      if (retiredPids.has(pid)) {
        socket.terminate(); // replaced while it reconnected
        return;
      }
      const record = records.get(pid);
      if (!record) {
        failures.push(new Error(`a connection from an unknown agent (pid ${frame.agent?.pid})`));
        socket.terminate();
        return;
      }
      record.connections += 1;
      socket.send(JSON.stringify(welcomeFrame()));
      connection = {
        socket,
        record,
        closed,
        errorFrames: 0,
        waiters,
        probeId: FIRST_PROBE_ID + record.connections * 1_000_000,
      };
      ready.push(connection);
      readyWaiters.splice(0).forEach((wake) => {
        wake();
      });
    } else if (frame.type === 'error' && connection) connection.errorFrames += 1;
    else if (frame.type === 'response' && frame.id !== undefined) waiters.get(frame.id)?.();
  });
}

/** The next welcomed connection of any agent. */
async function nextConnection(): Promise<Connection> {
  const until = Date.now() + 60_000;
  for (;;) {
    const connection = ready.shift();
    const pid = connection?.record.agent.child.pid ?? -1;
    if (connection?.socket.readyState === connection?.socket.OPEN && connection && !retiredPids.has(pid))
      return connection;
    if (failures.length > 0) throw failures[0];
    if (Date.now() > until) throw new Error('no agent connected within 60 s');
    await new Promise<void>((resolve) => {
      readyWaiters.push(resolve);
      setTimeout(resolve, 200);
    });
  }
}

/** Sends one frame and a probe: the close, or null while the socket stays open. */
async function trial(connection: Connection, frame: RawFrame): Promise<Close | null> {
  const { socket, record } = connection;
  const errorsBefore = connection.errorFrames;
  const id = ++connection.probeId;
  const answered = new Promise<'answered'>((resolve) =>
    connection.waiters.set(id, () => resolve('answered')),
  );
  socket.send(frame.data, { binary: frame.binary });
  socket.send(
    JSON.stringify({ type: 'request', id, deadline: Date.now() + PROBE_MS, op: { kind: 'ping', input: {} } }),
  );
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    answered,
    connection.closed,
    new Promise<'silent'>((resolve) => {
      timer = setTimeout(() => resolve('silent'), PROBE_MS);
    }),
  ]);
  clearTimeout(timer);
  connection.waiters.delete(id);
  record.frames += 1;
  if (outcome === 'answered') return null;
  if (outcome === 'silent')
    throw new Error(`the agent neither answered nor closed after a ${frame.label} frame`);
  // The close may overtake the error frame before it on our side: give it a moment to arrive.
  await new Promise((resolve) => setImmediate(resolve));
  const size = Buffer.byteLength(frame.data);
  return { ...outcome, label: frame.label, size, saidWhy: connection.errorFrames > errorsBefore };
}

/** How a close must look for the frame that caused it. */
function expectSoundClose(close: Close): void {
  const context = `${close.label} (${close.size} bytes) → ${close.code} ${close.reason}`;
  if (close.label === 'valid goaway') {
    // Asked to reconnect elsewhere: it closes as asked, no protocol error.
    expect([1000, 1001], context).toContain(close.code);
  } else if (close.label === 'oversized') {
    // Refused by the WebSocket layer before any handler sees it.
    expect(close.code, context).toBe(1009);
  } else {
    expect(close.code, context).toBe(CloseCode.PROTOCOL_ERROR);
    expect(close.saidWhy, context).toBe(true);
    expect(close.reason, context).not.toBe('');
  }
}

/** Its log: a line per protocol error, a connect per connection, no crash and no stray line. */
async function expectSoundLog(record: AgentRecord): Promise<void> {
  const { agent } = record;
  expect(agent.child.exitCode, agent.output()).toBeNull();
  const protocolErrors = record.closes.filter((close) => close.code === 4004 || close.code === 1009).length;
  // "disconnected (4004, protocol error: …); reconnecting in 1.2 s"
  await expect
    .poll(
      () =>
        agent.output().match(/WARN {2}disconnected \((4004|1009), protocol error: .+\); reconnecting in/g)
          ?.length ?? 0,
    )
    .toBeGreaterThanOrEqual(protocolErrors);
  expect(agent.output().match(/INFO {2}connecting to /g)?.length ?? 0).toBeGreaterThanOrEqual(
    record.connections,
  );
  const stray = agent
    .output()
    .split('\n')
    .filter((line) => line && !/^\d{4}-\d\d-\d\dT[\d:.]+Z (INFO |WARN |ERROR) /.test(line));
  expect(stray).toEqual([]);
}

async function startAgent(): Promise<void> {
  const agent = await runAgent(url, generateToken('agent'));
  records.set(agent.child.pid ?? -1, { agent, connections: 0, closes: [], consecutiveCloses: 0, frames: 0 });
}

/** Checks an agent whose back-off has grown, and replaces it with a fresh one. */
async function retire(record: AgentRecord): Promise<void> {
  await expectSoundLog(record);
  retired.push(record);
  retiredPids.add(record.agent.child.pid ?? -1);
  records.delete(record.agent.child.pid ?? -1);
  await record.agent.stop();
  await startAgent();
}
const retired: AgentRecord[] = [];
const retiredPids = new Set<number>();

beforeAll(async () => {
  sink = http.createServer((_request, response) => response.end('ok'));
  sink.listen(0, '127.0.0.1');
  await once(sink, 'listening');
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/v1/agent/connect' });
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('connection', accept);
  for (let i = 0; i < AGENTS; i++) await startAgent();
});

afterAll(async () => {
  for (const record of records.values()) await record.agent.stop();
  for (const client of server?.clients ?? []) client.terminate();
  server?.close();
  sink?.closeAllConnections();
  sink?.close();
});

describe('the agent under a protocol fuzzer', () => {
  it(
    'closes with a protocol error or ignores every frame, never crashes, reconnects and logs each error',
    async () => {
      let sequences = 0;
      await fc.assert(
        fc.asyncProperty(frameSequence(sinkUrl), async (frames) => {
          sequences += 1;
          const connection = await nextConnection();
          const { record } = connection;
          for (const frame of frames) {
            const close = await trial(connection, frame);
            if (!close) continue;
            record.closes.push(close);
            record.consecutiveCloses += 1;
            expectSoundClose(close);
            if (record.consecutiveCloses >= MAX_CONSECUTIVE_CLOSES) await retire(record);
            return;
          }
          // Still open: the next sequence carries on with it, as a real session would.
          record.consecutiveCloses = 0;
          ready.unshift(connection);
          expect(record.agent.child.exitCode, record.agent.output()).toBeNull();
        }),
        budget.parameters(),
      );
      expect(failures).toEqual([]);
      const all = [...retired, ...records.values()];
      for (const record of records.values()) await expectSoundLog(record);
      const closes = all.flatMap((record) => record.closes);
      expect(closes.filter((close) => close.code === 4004).length).toBeGreaterThan(0);
      const frames = all.reduce((sum, record) => sum + record.frames, 0);
      expect(frames).toBeGreaterThan(closes.length);
      console.info(
        `agent fuzz (seed ${budget.seed}): ${sequences} sequences, ${frames} frames, ${closes.length} closes ` +
          `over ${all.reduce((sum, record) => sum + record.connections, 0)} connections of ${all.length} agents`,
      );
    },
    budget.timeoutMs(3_000, 120_000),
  );
});
