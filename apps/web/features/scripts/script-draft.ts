import {
  CreateScriptBody,
  type Script,
  type ScriptKind,
  UpdateScriptBody,
} from '@outpost/protocol/rest/scripts';
import { checkWithSchema, type FieldErrors } from '../../lib/form-errors';

export const KIND_LABELS: Record<ScriptKind, string> = { TRANSFORM: 'Transform', FILTER: 'Filter' };

/** What a new script of each kind starts as. */
export const STARTER_SOURCES: Record<ScriptKind, string> = {
  TRANSFORM: 'function transform(record) {\n  return record;\n}\n',
  FILTER: 'function filter(record) {\n  return true;\n}\n',
};

export interface ScriptDraft {
  name: string;
  description: string;
  kind: ScriptKind;
  source: string;
}

export function scriptDraftOf(saved: Script | undefined): ScriptDraft {
  if (!saved) return { name: '', description: '', kind: 'TRANSFORM', source: STARTER_SOURCES.TRANSFORM };
  return { name: saved.name, description: saved.description, kind: saved.kind, source: saved.source };
}

/** A new kind; a source still blank or at the other kind's starter becomes the new kind's starter. */
export function changeKind(draft: ScriptDraft, kind: ScriptKind): ScriptDraft {
  const untouched = draft.source.trim() === '' || Object.values(STARTER_SOURCES).includes(draft.source);
  return { ...draft, kind, source: untouched ? STARTER_SOURCES[kind] : draft.source };
}

export function scriptBody(draft: ScriptDraft) {
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    kind: draft.kind,
    source: draft.source,
  };
}

export function validateScript(draft: ScriptDraft, saved: Script | undefined): FieldErrors {
  return checkWithSchema({}, saved ? UpdateScriptBody : CreateScriptBody, scriptBody(draft));
}

/** The line a message names ("Line 3: Unexpected token" → 3), or null. */
export function lineOf(message: string | undefined): number | null {
  const match = message?.match(/^Line (\d+)\b/);
  return match?.[1] ? Number(match[1]) : null;
}
