// JavaScript evaluated inside the VM before the user's script: it captures the built-ins the sandbox
// relies on (so a script that replaces JSON.stringify only breaks itself), installs `console`, and
// returns `bind(fn, isFilter)`, which makes the per-record runner. A runner takes the record as JSON
// text and answers text: `!message` when the record failed, else the result as JSON.
import { MAX_LOG_LENGTH } from '../messages.ts';

/** File name the user's script is evaluated under: stack frames in it carry the user's line numbers. */
export const SCRIPT_FILE = 'script.js';

export const PRELUDE = `(function (emit) {
  'use strict';
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const toText = String;
  const PromiseClass = Promise;
  const lineOf = /${SCRIPT_FILE.replace('.', '\\.')}:(\\d+)/;
  const format = (value) => {
    if (typeof value === 'string') return value;
    try {
      const text = stringify(value);
      if (text !== undefined) return text;
    } catch {}
    try { return toText(value); } catch { return '[value]'; }
  };
  const logger = (level) => function () {
    let line = '';
    for (let i = 0; i < arguments.length; i++) line += (i ? ' ' : '') + format(arguments[i]);
    if (line.length > ${MAX_LOG_LENGTH}) line = line.slice(0, ${MAX_LOG_LENGTH}) + '…';
    emit(level, line);
  };
  globalThis.console = {
    log: logger('info'), info: logger('info'), debug: logger('info'), trace: logger('info'),
    warn: logger('warn'), error: logger('error'),
  };
  const describe = (error) => {
    let message;
    try {
      if (error !== null && typeof error === 'object' && typeof error.message === 'string') {
        message = error.message === 'stack overflow'
          ? 'Stack overflow: the script recursed too deeply'
          : (typeof error.name === 'string' && error.name ? error.name + ': ' : '') + error.message;
        const found = typeof error.stack === 'string' ? lineOf.exec(error.stack) : null;
        if (found) message += ' (line ' + found[1] + ')';
      } else {
        message = 'threw ' + format(error);
      }
    } catch {
      message = 'threw a value that cannot be described';
    }
    return message;
  };
  return function bind(fn, isFilter) {
    return function run(text) {
      let result;
      try {
        result = fn(parse(text));
      } catch (error) {
        return '!' + describe(error);
      }
      if (result instanceof PromiseClass) return '!returned a Promise: the function must return its result directly';
      if (isFilter) return result ? 'true' : 'false';
      if (result === undefined || result === null) return 'null';
      let json;
      try {
        json = stringify(result);
      } catch (error) {
        return '!returned a value that is not JSON (' + describe(error) + ')';
      }
      if (json === undefined) return '!returned a value that is not JSON (a ' + typeof result + ')';
      return json;
    };
  };
})`;

/** Evaluated after the user's script: the function for the kind, whether declared or a top-level const. */
export function lookupSource(kind: string): string {
  return `typeof ${kind} === 'function' ? ${kind} : undefined`;
}
