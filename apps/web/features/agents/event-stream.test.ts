import { describe, expect, it } from 'vitest';
import { EventStreamParser } from './event-stream';

describe('EventStreamParser', () => {
  it('reads named events, skips comments and remembers retry', () => {
    const parser = new EventStreamParser();
    const events = parser.push(
      'retry: 3000\n\n: keep-alive\n\nevent: agent.deleted\ndata: {"type":"agent.deleted"}\n\n',
    );
    expect(events).toEqual([{ event: 'agent.deleted', data: '{"type":"agent.deleted"}' }]);
    expect(parser.retryMs).toBe(3000);
  });

  it('joins data lines and defaults the event name', () => {
    expect(new EventStreamParser().push('data: one\ndata:two\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo' },
    ]);
  });

  it('completes events split across chunks, even between CR and LF', () => {
    const parser = new EventStreamParser();
    expect(parser.push('event: agent.ups')).toEqual([]);
    expect(parser.push('erted\r')).toEqual([]);
    expect(parser.push('\ndata: {}\r\n\r')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'agent.upserted', data: '{}' }]);
  });

  it('accepts CR-only line ends', () => {
    const parser = new EventStreamParser();
    expect(parser.push('event: x\rdata: y\r\rdata: z\r\r')).toEqual([{ event: 'x', data: 'y' }]);
    // The last CR could still be half of a CRLF: the event completes with the next character.
    expect(parser.push(': keep-alive\n')).toEqual([{ event: 'message', data: 'z' }]);
  });
});
