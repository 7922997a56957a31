import { type ScriptLimits, type ScriptRun, startScript } from '@outpost/sandbox';
import { untilAborted } from './interrupt.ts';
import type { PageRecord, RecordFailure } from './page-records.ts';
import type { RunLog } from './run-log.ts';

export interface FlowScriptStep {
  name: string;
  kind: 'TRANSFORM' | 'FILTER';
  source: string;
}

/** Why a run could not start its scripts: it fails with this message. */
export class ScriptStartFailure extends Error {
  override readonly name = 'ScriptStartFailure';
}

/**
 * The flow's scripts, in order, each in one sandbox for the whole run (reused page after page,
 * disposed at the end). A record that fails a script is set aside with the error and the record
 * as it entered that script; a transform returning null and a filter returning false drop it.
 */
export class ScriptSteps {
  private constructor(
    private readonly steps: { name: string; kind: FlowScriptStep['kind']; run: ScriptRun }[],
  ) {}

  static async start(scripts: FlowScriptStep[], limits?: Partial<ScriptLimits>): Promise<ScriptSteps> {
    const started: { name: string; kind: FlowScriptStep['kind']; run: ScriptRun }[] = [];
    try {
      for (const script of scripts) {
        const kind = script.kind === 'FILTER' ? 'filter' : 'transform';
        try {
          started.push({
            name: script.name,
            kind: script.kind,
            run: await startScript(script.source, kind, limits),
          });
        } catch (error) {
          const line = (error as { line?: number | null }).line;
          throw new ScriptStartFailure(
            `Script "${script.name}" could not start: ${line ? `Line ${line}: ` : ''}${(error as Error).message}`,
          );
        }
      }
    } catch (error) {
      await Promise.allSettled(started.map((step) => step.run.dispose()));
      throw error;
    }
    return new ScriptSteps(started);
  }

  /** Runs every script on the page's records; returns the survivors and the failures. */
  async run(
    page: number,
    records: unknown[],
    signal: AbortSignal,
  ): Promise<{ survivors: PageRecord[]; failures: RecordFailure[] }> {
    let items: PageRecord[] = records.map((record, index) => ({ index, record }));
    const failures: RecordFailure[] = [];
    for (const step of this.steps) {
      if (items.length === 0) break;
      const outcomes = await untilAborted(step.run.run(items.map((item) => item.record)), signal);
      const kept: PageRecord[] = [];
      items.forEach((item, position) => {
        const outcome = outcomes[position];
        if (!outcome?.ok) {
          failures.push({
            page,
            index: item.index,
            stage: 'script',
            step: step.name,
            message: outcome ? outcome.error : 'The script gave no answer for this record',
            record: item.record,
          });
        } else if (step.kind === 'TRANSFORM') {
          if (outcome.value !== null && outcome.value !== undefined)
            kept.push({ index: item.index, record: outcome.value });
        } else if (outcome.value === true) {
          kept.push(item);
        }
      });
      items = kept;
    }
    return { survivors: items, failures };
  }

  /** Moves what the scripts printed into the run's log. */
  async flushLogs(log: RunLog): Promise<void> {
    for (const step of this.steps) await log.script(step.name, step.run.takeLogs());
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.steps.map((step) => step.run.dispose()));
  }
}
