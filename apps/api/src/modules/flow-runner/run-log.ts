import type { Database } from '@outpost/db/client';
import type { ScriptLogLine } from '@outpost/sandbox';
import type { FastifyBaseLogger } from 'fastify';

export type LogLevel = 'info' | 'warn' | 'error';

export interface RunLogLimits {
  /** Lines a run may write in all. */
  maxLines: number;
  /** Of those, lines of the scripts' console output. */
  maxScriptLines: number;
}

export const DEFAULT_LOG_LIMITS: RunLogLimits = { maxLines: 1000, maxScriptLines: 200 };

const MAX_LINE_LENGTH = 2000;

/**
 * The log of one run (FlowRunLog), capped: past the limit one line says so and the rest is
 * dropped. A line that cannot be written goes to the API's log instead; it never fails the run.
 */
export class RunLog {
  private scriptLines = 0;
  private full = false;

  private constructor(
    private readonly db: Database,
    private readonly appLog: FastifyBaseLogger,
    readonly runId: string,
    private lines: number,
    private readonly limits: RunLogLimits,
  ) {}

  /** A run picked up again goes on counting from the lines it has. */
  static async open(
    db: Database,
    appLog: FastifyBaseLogger,
    runId: string,
    limits: RunLogLimits = DEFAULT_LOG_LIMITS,
  ): Promise<RunLog> {
    const lines = await db.flowRunLog.count({ where: { runId } });
    return new RunLog(db, appLog, runId, lines, limits);
  }

  info(message: string): Promise<void> {
    return this.write([{ level: 'info', message }]);
  }

  warn(message: string): Promise<void> {
    return this.write([{ level: 'warn', message }]);
  }

  error(message: string): Promise<void> {
    return this.write([{ level: 'error', message }]);
  }

  /** console.log/warn/error of a script, prefixed with its name; capped separately. */
  script(scriptName: string, lines: ScriptLogLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    const room = Math.max(0, this.limits.maxScriptLines - this.scriptLines);
    const kept = lines.slice(0, room);
    this.scriptLines += kept.length;
    const entries = kept.map((line) => ({ level: line.level, message: `[${scriptName}] ${line.message}` }));
    if (kept.length < lines.length && this.scriptLines === this.limits.maxScriptLines) {
      this.scriptLines += 1;
      entries.push({
        level: 'warn',
        message: `Script output past ${this.limits.maxScriptLines} lines is not kept`,
      });
    }
    return this.write(entries);
  }

  private async write(entries: { level: LogLevel; message: string }[]): Promise<void> {
    if (this.full || entries.length === 0) return;
    const room = this.limits.maxLines - 1 - this.lines;
    const kept = entries.slice(0, Math.max(0, room));
    const data = kept.map((entry) => ({
      runId: this.runId,
      level: entry.level,
      message:
        entry.message.length > MAX_LINE_LENGTH
          ? `${entry.message.slice(0, MAX_LINE_LENGTH)}…`
          : entry.message,
    }));
    if (kept.length < entries.length) {
      this.full = true;
      data.push({
        runId: this.runId,
        level: 'warn',
        message: `The log stops here: a run keeps ${this.limits.maxLines} lines`,
      });
    }
    this.lines += data.length;
    try {
      await this.db.flowRunLog.createMany({ data });
    } catch (error) {
      this.appLog.error({ err: error, runId: this.runId }, 'flow run log line not written');
    }
  }
}
