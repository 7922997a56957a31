'use client';

import type { Script, ScriptCheckResult, ScriptKind } from '@outpost/protocol/rest/scripts';
import { useState } from 'react';
import { Alert } from '@/components/alert';
import { Button } from '@/components/button';
import { CodeField } from '@/components/code-editor';
import { FormSection, formStyles } from '@/components/form-layout';
import { CheckIcon } from '@/components/icons';
import { SegmentedControl } from '@/components/segmented-control';
import { ResourceForm } from '@/features/resources/resource-form';
import { useResourceEditor } from '@/features/resources/use-resource-editor';
import { errorMessage } from '@/lib/api';
import { useApi } from '@/lib/use-api';
import {
  changeKind,
  KIND_LABELS,
  lineOf,
  type ScriptDraft,
  scriptBody,
  scriptDraftOf,
  validateScript,
} from './script-draft';

const KIND_OPTIONS = (['TRANSFORM', 'FILTER'] as const).map((value) => ({
  value,
  label: KIND_LABELS[value],
}));

const KIND_HINTS: Record<ScriptKind, string> = {
  TRANSFORM: 'transform(record) returns the record to pass on (changed or not); null drops it.',
  FILTER: 'filter(record) returns true to keep the record, false to drop it.',
};

/** The outcome of Check: the check's answer, or why it could not run. */
type CheckOutcome = { kind: 'result'; result: ScriptCheckResult } | { kind: 'failed'; message: string };

/**
 * Create or edit a script: name, kind, and its JavaScript in an editor with line numbers. Check
 * compiles it without saving; Save refuses a script that does not compile and marks the line.
 */
export function ScriptForm({ initial, readOnly }: { initial?: Script; readOnly: boolean }) {
  const api = useApi();
  const [check, setCheck] = useState<CheckOutcome>();
  const [checking, setChecking] = useState(false);
  const editor = useResourceEditor<ScriptDraft, Script>({
    initial,
    toDraft: scriptDraftOf,
    validate: validateScript,
    kind: 'scripts',
    bodyOf: scriptBody,
    readOnly,
  });
  const { draft, errors, saved, edit } = editor;
  const change = (patch: Partial<ScriptDraft>) => {
    setCheck(undefined);
    editor.set(patch);
  };
  const failedCheck = check?.kind === 'result' && !check.result.ok ? check.result : undefined;
  const markedLine = lineOf(errors.source) ?? failedCheck?.line ?? null;

  async function runCheck() {
    setChecking(true);
    try {
      const result = await api.post<ScriptCheckResult>('/v1/scripts/check', {
        kind: draft.kind,
        source: draft.source,
      });
      setCheck({ kind: 'result', result });
    } catch (error) {
      setCheck({ kind: 'failed', message: errorMessage(error) });
    } finally {
      setChecking(false);
    }
  }

  return (
    <ResourceForm
      editor={editor}
      words={{ kind: 'scripts', title: 'Script', plural: 'Scripts', noun: 'script' }}
      namePlaceholder="Add full name"
      description={
        saved
          ? `${KIND_LABELS[saved.kind]}: runs on every record of the flows that use it, in a sandbox with no network.`
          : 'JavaScript that changes or filters each record of a flow, in a sandbox with no network.'
      }
      readOnly={readOnly}
      footerStart={
        <Button onClick={() => void runCheck()} busy={checking} disabled={editor.busy}>
          {checking ? null : <CheckIcon size={15} />}
          Check
        </Button>
      }
    >
      <FormSection
        title="Code"
        description={
          <>
            Runs once per record. No <code>require</code>, <code>process</code> or network; a record whose
            script throws is marked failed with the error, and the flow goes on.
          </>
        }
      >
        <SegmentedControl
          label="Kind"
          value={draft.kind}
          options={KIND_OPTIONS}
          onChange={(kind) => {
            setCheck(undefined);
            edit((current) => changeKind(current, kind), ['kind', 'source']);
          }}
          hint={KIND_HINTS[draft.kind]}
        />
        <div className={formStyles.stack}>
          <CodeField
            label="Source"
            value={draft.source}
            onChange={(source) => change({ source })}
            error={errors.source}
            markedLine={markedLine}
            rows={16}
          />
          {check ? <CheckResult outcome={check} /> : null}
        </div>
      </FormSection>
    </ResourceForm>
  );
}

function CheckResult({ outcome }: { outcome: CheckOutcome }) {
  if (outcome.kind === 'failed')
    return (
      <Alert tone="danger" title="Could not check the script" className={formStyles.result}>
        {outcome.message}
      </Alert>
    );
  const { result } = outcome;
  return (
    <Alert
      tone={result.ok ? 'success' : 'danger'}
      title={result.ok ? 'The script compiles' : 'The script does not compile'}
      className={formStyles.result}
      data-testid="script-check-result"
    >
      {result.ok ? 'No syntax errors, and the function is defined.' : result.message}
    </Alert>
  );
}
