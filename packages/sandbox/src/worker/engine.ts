// One script inside QuickJS (WebAssembly): compiles it with its limits, runs records through it, and
// after a record that hit the CPU or memory limit throws the runtime away and starts a fresh one.
import * as variant from '@jitl/quickjs-singlefile-cjs-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import type { StartFailure } from '../messages.ts';
import {
  cpuLimitMessage,
  memoryLimitMessage,
  type RecordOutcome,
  type ScriptKind,
  type ScriptLimits,
  type ScriptLogLine,
} from '../script.ts';
import { lookupSource, PRELUDE, SCRIPT_FILE } from './prelude.ts';

/**
 * QuickJS's own stack limit. Its frames also use the worker thread's native stack, which is
 * 8 MiB (resourceLimits.stackSizeMb in the host): 256 KiB keeps QuickJS's "stack overflow" well
 * ahead of V8's.
 */
const MAX_STACK_BYTES = 256 * 1024;

interface Loaded {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  runner: QuickJSHandle;
}

type Raised =
  | { kind: 'cpu' }
  | { kind: 'memory' }
  | { kind: 'error'; message: string; line: number | null; column: number | null };

export class ScriptEngine {
  private loaded: Loaded | null = null;
  private deadline = Number.POSITIVE_INFINITY;
  private moduleBroken = false;

  private constructor(
    private module: QuickJSWASMModule,
    private readonly source: string,
    private readonly kind: ScriptKind,
    private readonly limits: ScriptLimits,
    private readonly log: (line: ScriptLogLine) => void,
  ) {}

  /** Compiles and runs the top-level code; a failure names the line in the user's source. */
  static async start(
    source: string,
    kind: ScriptKind,
    limits: ScriptLimits,
    log: (line: ScriptLogLine) => void,
  ): Promise<{ engine: ScriptEngine } | { failure: StartFailure }> {
    const engine = new ScriptEngine(await newModule(), source, kind, limits, log);
    const failure = engine.load();
    return failure ? { failure } : { engine };
  }

  /** Runs the function on one record given as JSON text (synchronously, unless the engine must be replaced first). */
  runRecord(recordJson: string): RecordOutcome | Promise<RecordOutcome> {
    if (this.moduleBroken) {
      return newModule().then((module) => {
        this.module = module;
        this.moduleBroken = false;
        return this.runRecord(recordJson);
      });
    }
    if (!this.loaded) {
      let failure: StartFailure | null;
      try {
        failure = this.load();
      } catch (error) {
        this.moduleBroken = true;
        failure = { code: 'script_error', message: (error as Error).message, line: null, column: null };
      }
      if (failure) return { ok: false, error: `The script could not restart: ${failure.message}` };
    }
    const { runtime, context, runner } = this.loaded as Loaded;
    let answer: string;
    try {
      const input = context.newString(recordJson);
      this.deadline = Date.now() + this.limits.cpuMsPerRecord;
      const result = context.callFunction(runner, context.undefined, input);
      input.dispose();
      // Promise callbacks the record queued run now, within the same CPU limit (and never pile up).
      const jobs = result.error ? null : runtime.executePendingJobs();
      this.deadline = Number.POSITIVE_INFINITY;
      if (result.error) {
        const raised = this.raised(context, result.error);
        this.unload();
        return { ok: false, error: this.describe(raised) };
      }
      answer = context.getString(result.value);
      result.value.dispose();
      if (jobs?.error) {
        const raised = this.raised(context, jobs.error);
        if (raised.kind !== 'error') {
          this.unload();
          return { ok: false, error: this.describe(raised) };
        }
      }
    } catch (error) {
      // The engine itself failed (a native stack overflow inside the WebAssembly): start afresh.
      this.deadline = Number.POSITIVE_INFINITY;
      this.unload(true);
      return { ok: false, error: `The script crashed the sandbox (${(error as Error).message})` };
    }
    if (answer.charCodeAt(0) !== 33 /* ! */) {
      return { ok: true, value: this.kind === 'filter' ? answer === 'true' : JSON.parse(answer) };
    }
    const message = answer.slice(1);
    if (/^InternalError: out of memory/.test(message)) {
      this.unload();
      return { ok: false, error: memoryLimitMessage(this.limits) };
    }
    return { ok: false, error: message };
  }

  dispose(): void {
    this.unloadSync(false);
  }

  private load(): StartFailure | null {
    const runtime = this.module.newRuntime();
    runtime.setMemoryLimit(this.limits.memoryBytes);
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    runtime.setInterruptHandler(() => Date.now() > this.deadline);
    const context = runtime.newContext();
    const fail = (failure: StartFailure): StartFailure => {
      context.dispose();
      runtime.dispose();
      return failure;
    };
    const emit = context.newFunction('emit', (level, line) => {
      const name = context.getString(level);
      this.log({
        level: name === 'warn' || name === 'error' ? name : 'info',
        message: context.getString(line),
      });
    });
    const prelude = context.evalCode(PRELUDE, 'outpost-prelude.js', { type: 'global', strict: true });
    const bind = context.unwrapResult(prelude);
    const installed = context.callFunction(bind, context.undefined, emit);
    emit.dispose();
    const binder = context.unwrapResult(installed);

    this.deadline = Date.now() + this.limits.cpuMsPerRecord;
    const evaluated = context.evalCode(this.source, SCRIPT_FILE, { type: 'global' });
    this.deadline = Number.POSITIVE_INFINITY;
    if (evaluated.error) {
      const raised = this.raised(context, evaluated.error);
      binder.dispose();
      bind.dispose();
      return fail(this.startFailure(raised));
    }
    evaluated.value.dispose();

    const fn = context.unwrapResult(
      context.evalCode(lookupSource(this.kind), 'outpost-lookup.js', { type: 'global' }),
    );
    if (context.typeof(fn) !== 'function') {
      fn.dispose();
      binder.dispose();
      bind.dispose();
      return fail({
        code: 'missing_function',
        message: `The script must define a function ${this.kind}(record)`,
        line: null,
        column: null,
      });
    }
    const runner = context.unwrapResult(
      context.callFunction(
        binder,
        context.undefined,
        fn,
        this.kind === 'filter' ? context.true : context.false,
      ),
    );
    fn.dispose();
    binder.dispose();
    bind.dispose();
    this.loaded = { runtime, context, runner };
    return null;
  }

  private raised(context: QuickJSContext, error: QuickJSHandle): Raised {
    const dumped = context.dump(error) as {
      name?: string;
      message?: string;
      stack?: string;
      lineNumber?: number;
    };
    error.dispose();
    const message = typeof dumped?.message === 'string' ? dumped.message : String(dumped);
    if (dumped?.name === 'InternalError' && message === 'interrupted') return { kind: 'cpu' };
    if (dumped?.name === 'InternalError' && message === 'out of memory') return { kind: 'memory' };
    const position = /script\.js:(\d+)(?::(\d+))?/.exec(dumped?.stack ?? '');
    const line = position ? Number(position[1]) : (dumped?.lineNumber ?? null);
    const column = position?.[2] ? Number(position[2]) : null;
    const text =
      message === 'stack overflow'
        ? 'Stack overflow: the script recursed too deeply'
        : dumped?.name
          ? `${dumped.name}: ${message}`
          : `threw ${message}`;
    return { kind: 'error', message: text, line, column };
  }

  private describe(raised: Raised): string {
    if (raised.kind === 'cpu') return cpuLimitMessage(this.limits);
    if (raised.kind === 'memory') return memoryLimitMessage(this.limits);
    return raised.line ? `${raised.message} (line ${raised.line})` : raised.message;
  }

  private startFailure(raised: Raised): StartFailure {
    if (raised.kind === 'cpu') {
      return {
        code: 'cpu_limit',
        message: `${cpuLimitMessage(this.limits)} in the top-level code`,
        line: null,
        column: null,
      };
    }
    if (raised.kind === 'memory') {
      return {
        code: 'memory_limit',
        message: `${memoryLimitMessage(this.limits)} in the top-level code`,
        line: null,
        column: null,
      };
    }
    const code = raised.message.startsWith('SyntaxError') ? 'syntax_error' : 'script_error';
    const where = raised.line ? ` (line ${raised.line})` : '';
    return { code, message: `${raised.message}${where}`, line: raised.line, column: raised.column };
  }

  /** Frees the runtime; the next record loads a fresh one (in a fresh WebAssembly module if this one failed). */
  private unload(freshModule = false): void {
    if (this.unloadSync(freshModule)) this.moduleBroken = true;
  }

  /** Frees the runtime; answers whether the WebAssembly module must be replaced. */
  private unloadSync(freshModule: boolean): boolean {
    const loaded = this.loaded;
    this.loaded = null;
    if (!loaded) return freshModule;
    try {
      loaded.runner.dispose();
      loaded.context.dispose();
      loaded.runtime.dispose();
      return freshModule;
    } catch {
      return true;
    }
  }
}

function newModule(): Promise<QuickJSWASMModule> {
  // smartUnwrap in quickjs-emscripten-core takes the variant out of the module's (CJS) default export.
  return newQuickJSWASMModuleFromVariant(Promise.resolve(variant));
}
