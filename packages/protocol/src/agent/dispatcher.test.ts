import { describe, expect, it, vi } from 'vitest';
import { BinaryKind, encodeChunk } from './binary.ts';
import { createDispatcher } from './dispatcher.ts';
import { AgentFrame, MAX_FRAME_BYTES } from './frames.ts';

function setup() {
  const handlers = {
    hello: vi.fn(),
    response: vi.fn(),
    credit: vi.fn(),
    'body.end': vi.fn(),
    error: vi.fn(),
  };
  const onChunk = vi.fn();
  const onProtocolError = vi.fn();
  const dispatch = createDispatcher({ schema: AgentFrame, handlers, onChunk, onProtocolError });
  const text = (value: unknown) =>
    dispatch(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), false);
  return { handlers, onChunk, onProtocolError, dispatch, text };
}

const hello = {
  type: 'hello',
  protocol: 1,
  agent: {
    version: '0.1.0',
    os: 'linux',
    arch: 'x64',
    hostname: 'vm1',
    machineId: 'm',
    pid: 42,
    nodeVersion: 'v20',
  },
};

describe('the frame dispatcher', () => {
  it('hands each valid frame to the handler of its type', () => {
    const { handlers, text, onProtocolError } = setup();
    text(hello);
    text({ type: 'response', id: 7, ok: true, result: { rows: [] } });
    text({ type: 'response', id: 8, ok: false, error: { code: 'timeout', message: 'slow' } });
    expect(handlers.hello).toHaveBeenCalledWith(hello);
    expect(handlers.response).toHaveBeenCalledTimes(2);
    expect(onProtocolError).not.toHaveBeenCalled();
  });

  it('decodes binary chunks', () => {
    const { dispatch, onChunk } = setup();
    dispatch(encodeChunk(BinaryKind.RESPONSE_BODY, 9, Buffer.from('abc')), true);
    expect(onChunk).toHaveBeenCalledWith({
      kind: BinaryKind.RESPONSE_BODY,
      id: 9,
      chunk: Buffer.from('abc'),
    });
  });

  it.each([
    ['not JSON', '{nope'],
    ['an unknown type', { type: 'launch_missiles' }],
    ['a frame of the other side', { type: 'welcome', protocol: 1 }],
    ['a missing field', { type: 'response', id: 1, ok: true, error: 'x' }],
    ['a bad id', { type: 'response', id: -1, ok: true, result: 1 }],
    ['an array', [1, 2]],
    ['null', 'null'],
  ])('reports %s as a protocol error and calls no handler', (_case, frame) => {
    const { handlers, text, onProtocolError } = setup();
    text(frame);
    expect(onProtocolError).toHaveBeenCalledOnce();
    for (const handler of Object.values(handlers)) expect(handler).not.toHaveBeenCalled();
  });

  it('reports oversized, truncated and unknown-kind binary frames', () => {
    const { dispatch, onProtocolError, onChunk } = setup();
    dispatch(Buffer.alloc(MAX_FRAME_BYTES + 1), false);
    dispatch(Buffer.from([1, 0, 0]), true);
    dispatch(Buffer.from([9, 0, 0, 0, 1, 65]), true);
    dispatch(Buffer.from([1, 0, 0, 0, 0, 65]), true);
    expect(onProtocolError).toHaveBeenCalledTimes(4);
    expect(onChunk).not.toHaveBeenCalled();
  });

  it('turns a handler that throws into a protocol error instead of a crash', () => {
    const { handlers, text, onProtocolError } = setup();
    handlers.hello.mockImplementation(() => {
      throw new Error('boom');
    });
    expect(() => text(hello)).not.toThrow();
    expect(onProtocolError).toHaveBeenCalledWith(expect.stringContaining('boom'));
  });

  it('survives thousands of random and mutated frames', () => {
    const { dispatch, onProtocolError } = setup();
    const seed = JSON.stringify(hello);
    let calls = 0;
    for (let i = 0; i < 5000; i++) {
      const bytes = Buffer.from(seed);
      for (let j = 0; j < 1 + (i % 5); j++)
        bytes[Math.floor(Math.random() * bytes.length)] = Math.floor(Math.random() * 256);
      const random = Buffer.from(Array.from({ length: i % 64 }, () => Math.floor(Math.random() * 256)));
      expect(() => dispatch(i % 2 ? bytes : random, i % 3 === 0)).not.toThrow();
      calls += 1;
    }
    expect(calls).toBe(5000);
    expect(onProtocolError.mock.calls.length).toBeGreaterThan(4000);
  });
});
