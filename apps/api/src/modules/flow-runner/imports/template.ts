import { valueAt } from '../exports/json-path.ts';
import { ImportFailure } from './errors.ts';

/** What a template can name: `{{record}}`, `{{record.path}}`, `{{records}}`, `{{run.id}}`. */
export interface TemplateValues {
  record?: unknown;
  records?: unknown[];
  runId: string;
}

const PLACEHOLDER = /\{\{\s*(run\.id|records|record(?:\.[^{}\s"\\]+)?)\s*\}\}/g;

/**
 * The request body: the record (or the array of records) as JSON, or the template filled in. A
 * placeholder that is a whole JSON string (`"{{record}}"`) or stands outside strings becomes the
 * value as JSON; one inside a longer string (`"Hello {{record.name}}"`) becomes text in it. What
 * a record holds cannot break out of its place: the result is JSON, or the template is wrong.
 */
export function renderBody(template: string | undefined, values: TemplateValues, importName: string): string {
  if (template === undefined) return JSON.stringify(values.records ?? values.record ?? null);
  let out = '';
  let last = 0;
  let inString = false;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const start = match.index;
    for (let i = last; i < start; i++) {
      if (inString && template[i] === '\\') i++;
      else if (template[i] === '"') inString = !inString;
    }
    const end = start + match[0].length;
    const value = lookup(match[1] ?? '', values);
    if (inString && template[start - 1] === '"' && template[end] === '"') {
      out += `${template.slice(last, start - 1)}${JSON.stringify(value ?? null)}`;
      last = end + 1;
      inString = false;
    } else if (inString) {
      out += `${template.slice(last, start)}${JSON.stringify(textOf(value)).slice(1, -1)}`;
      last = end;
    } else {
      out += `${template.slice(last, start)}${JSON.stringify(value ?? null)}`;
      last = end;
    }
  }
  out += template.slice(last);
  try {
    JSON.parse(out);
  } catch (error) {
    throw new ImportFailure(
      `The body template of import "${importName}" is not valid JSON once filled in: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  return out;
}

/**
 * The request path with `{{record.field}}` and `{{run.id}}` filled in, URL-encoded. A field the
 * record lacks is that record's failure (the message says which), not the import's.
 */
export function renderPath(path: string, values: TemplateValues): { path: string } | { missing: string } {
  let missing: string | null = null;
  const filled = path.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = lookup(name, values);
    if (value === undefined || value === null || value === '') missing ??= name;
    return encodeURIComponent(textOf(value));
  });
  return missing === null ? { path: filled } : { missing };
}

function lookup(name: string, values: TemplateValues): unknown {
  if (name === 'run.id') return values.runId;
  if (name === 'records') return values.records;
  if (name === 'record') return values.record;
  return valueAt(values.record, name.slice('record.'.length));
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
