import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, oneLine } from './log.ts';

function capture(format: 'text' | 'json') {
  const out = new PassThrough();
  let written = '';
  out.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { log: createLogger(format, out), written: () => written };
}

describe('log lines', () => {
  it('keeps text from elsewhere on its own line: control characters are escaped', () => {
    const { log, written } = capture('text');
    log.warn('disconnected (4004, protocol error: invalid "x\n2026-11-28T21:00:00.000Z ERROR forged" frame)');
    expect(written().split('\n')).toHaveLength(2);
    expect(written()).toMatch(
      /^\S+ WARN {2}disconnected \(4004, protocol error: invalid "x\\n2026.*forged" frame\)\n$/,
    );
    expect(oneLine('a\r\tb\u0000c\u007fd\u2028e')).toBe('a\\r\\tb\\u0000c\\u007fd\\u2028e');
    expect(oneLine('naïve ☃ 🚀')).toBe('naïve ☃ 🚀');
  });

  it('writes one JSON object per line with --log-format json', () => {
    const { log, written } = capture('json');
    log.info('line\nbreak', { agentId: 'a' });
    expect(written().split('\n')).toHaveLength(2);
    expect(JSON.parse(written())).toMatchObject({ level: 'info', msg: 'line\nbreak', agentId: 'a' });
  });
});
