'use client';

import { useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '@/lib/api';
import { useEnvironment } from '@/lib/environment';
import { type FieldErrors, withoutFieldErrors } from '@/lib/form-errors';
import { useApi } from '@/lib/use-api';
import { type ResourceKind, resourcePath } from './resource-paths';

export interface ResourceEditorOptions<Draft, Saved> {
  /** The saved resource, or undefined for a new one. */
  initial: Saved | undefined;
  /** The form for a saved resource, or an empty one. */
  toDraft: (saved: Saved | undefined) => Draft;
  /** Checks before the request, keyed by the API's issue paths without `body.` (`http.path`). */
  validate: (draft: Draft, saved: Saved | undefined) => FieldErrors;
  /** Where it is saved: `POST /v1/<kind>` creates it, `PATCH /v1/<kind>/:id` changes it. */
  kind: Exclude<ResourceKind, 'runs'>;
  /** What the API is sent, on create and update alike (the settings whole). */
  bodyOf: (draft: Draft) => unknown;
  readOnly: boolean;
}

/**
 * The state of a resource's form page: the draft and what was last saved, messages by field (the
 * API's own land on the same fields), busy while saving, and "leave page?" while there are unsaved
 * changes. After the first save the page becomes the resource's own (its URL changes in place).
 */
export function useResourceEditor<Draft, Saved extends { id: string }>({
  initial,
  toDraft,
  validate,
  kind,
  bodyOf,
  readOnly,
}: ResourceEditorOptions<Draft, Saved>) {
  const api = useApi();
  const environment = useEnvironment();
  const [saved, setSaved] = useState(initial);
  const [baseline, setBaseline] = useState<Draft>(() => toDraft(initial));
  const [draft, setDraft] = useState<Draft>(baseline);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const dirty = JSON.stringify(draft) !== JSON.stringify(baseline);

  useEffect(() => {
    if (!dirty || readOnly) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty, readOnly]);

  /** Applies a change; the messages of the fields it touches (and of their sub-fields) go. */
  function edit(change: (current: Draft) => Draft, fields: string[]) {
    setDraft(change);
    setFormError(undefined);
    setErrors((current) => withoutFieldErrors(current, fields));
  }

  /** Changes top-level fields: `set({ name })`. */
  function set(patch: Partial<Draft>) {
    edit((current) => ({ ...current, ...patch }), Object.keys(patch));
  }

  /** A setter for the fields of one group: `setIn('http')({ path })` changes `http.path`. */
  function setIn<Group extends keyof Draft>(group: Group) {
    return (patch: Partial<Draft[Group]>) =>
      edit(
        (current) => ({ ...current, [group]: { ...current[group], ...patch } }),
        Object.keys(patch).map((field) => `${String(group)}.${field}`),
      );
  }

  /** What the API answered becomes what the form shows and compares against. */
  function accept(resource: Saved) {
    const fresh = toDraft(resource);
    setSaved(resource);
    setBaseline(fresh);
    setDraft(fresh);
  }

  /** Focuses the first field with a message; one for a field the form does not show goes above the buttons. */
  function revealErrors(fallback: string) {
    requestAnimationFrame(() => {
      const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      if (invalid) invalid.focus();
      else setFormError(fallback);
    });
  }

  /** Checks and saves; answers the saved resource, or undefined with the messages shown. */
  async function submit(): Promise<Saved | undefined> {
    const invalid = validate(draft, saved);
    setErrors(invalid);
    setFormError(undefined);
    const firstProblem = Object.values(invalid)[0];
    if (firstProblem !== undefined) {
      revealErrors(firstProblem);
      return undefined;
    }
    setBusy(true);
    try {
      const resource = saved
        ? await api.patch<Saved>(`/v1/${kind}/${saved.id}`, bodyOf(draft))
        : await api.post<Saved>(`/v1/${kind}`, bodyOf(draft));
      accept(resource);
      // The page is the resource's own from now on; a reload opens it for editing.
      if (!saved) window.history.replaceState(null, '', resourcePath(environment.slug, kind, resource.id));
      return resource;
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(fields);
      const message = Object.values(fields)[0];
      if (message === undefined) setFormError(errorMessage(error));
      else revealErrors(message);
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  return { saved, draft, errors, formError, busy, dirty, formRef, edit, set, setIn, accept, submit };
}

export type ResourceEditor<Draft, Saved extends { id: string }> = ReturnType<
  typeof useResourceEditor<Draft, Saved>
>;
