import { z } from 'zod';
import { ResourceName } from './common.ts';
import { Description } from './integration-common.ts';

/** `transform(record)` returns the record to pass on (null drops it); `filter(record)` returns whether to keep it. */
export const ScriptKind = z.enum(['TRANSFORM', 'FILTER']);
export type ScriptKind = z.infer<typeof ScriptKind>;

/** JavaScript defining `function transform(record) {…}` or `function filter(record) {…}`. */
export const ScriptSource = z
  .string()
  .min(1, 'Source is required')
  .max(100_000, 'Source is at most 100,000 characters');

export const CreateScriptBody = z.object({
  name: ResourceName,
  description: Description.default(''),
  kind: ScriptKind,
  source: ScriptSource,
});
export type CreateScriptBody = z.infer<typeof CreateScriptBody>;

export const UpdateScriptBody = CreateScriptBody.partial();
export type UpdateScriptBody = z.infer<typeof UpdateScriptBody>;

export const Script = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  kind: ScriptKind,
  source: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Script = z.infer<typeof Script>;

export const ScriptList = z.object({ items: z.array(Script) });
export type ScriptList = z.infer<typeof ScriptList>;

/**
 * A script that does not compile is refused at save with 422 `script_invalid`, the path
 * `source` and a message naming the line: "Line 3: Unexpected token". `POST /v1/scripts/check`
 * answers the same check without saving, 200 either way.
 */
export const ScriptCheckBody = z.object({ kind: ScriptKind, source: ScriptSource });
export type ScriptCheckBody = z.infer<typeof ScriptCheckBody>;

export const ScriptCheckResult = z.object({
  ok: z.boolean(),
  message: z.string(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
});
export type ScriptCheckResult = z.infer<typeof ScriptCheckResult>;
