// Console lines a script printed, kept until takeLogs(): at most MAX_LOG_LINES, then counted.
import { MAX_LOG_LINES } from './messages.ts';
import type { ScriptLogLine } from './script.ts';

export class LogBuffer {
  private lines: ScriptLogLine[] = [];
  private dropped = 0;

  add(lines: ScriptLogLine[], dropped: number): void {
    const room = Math.max(0, MAX_LOG_LINES - this.lines.length);
    this.lines.push(...lines.slice(0, room));
    this.dropped += dropped + Math.max(0, lines.length - room);
  }

  take(): ScriptLogLine[] {
    const lines = this.lines;
    if (this.dropped > 0)
      lines.push({ level: 'warn', message: `… ${this.dropped} more log lines were dropped` });
    this.lines = [];
    this.dropped = 0;
    return lines;
  }
}
