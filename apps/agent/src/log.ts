import type { Writable } from 'node:stream';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * One line per event on stdout: `2026-11-28T21:00:00.000Z INFO connected to …` in text, or
 * `{"time":…,"level":"info","msg":…}` with `--log-format json`. Callers never pass a token.
 */
export function createLogger(format: LogFormat, out: Writable = process.stdout): Logger {
  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    const time = new Date().toISOString();
    if (format === 'json') out.write(`${JSON.stringify({ time, level, msg: message, ...fields })}\n`);
    else out.write(`${time} ${level.toUpperCase().padEnd(5)} ${oneLine(message)}\n`);
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

/**
 * Messages carry text from elsewhere (a close reason, a frame's type, an error from a system on
 * the network): control characters are escaped, so that no one can start a log line of their own.
 */
export function oneLine(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (char) =>
    char < ' ' ? JSON.stringify(char).slice(1, -1) : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `3.2 s`: how delays read in the log. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
