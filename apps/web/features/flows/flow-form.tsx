'use client';

import type { Export, ExportList } from '@outpost/protocol/rest/exports';
import type { Flow } from '@outpost/protocol/rest/flows';
import type { Import, ImportList } from '@outpost/protocol/rest/imports';
import type { ScriptList } from '@outpost/protocol/rest/scripts';
import { useState } from 'react';
import { Button } from '@/components/button';
import { Field } from '@/components/field';
import { FormSection, formStyles } from '@/components/form-layout';
import { PlayIcon } from '@/components/icons';
import { Panel } from '@/components/panel';
import { SelectMenu } from '@/components/select-menu';
import { ModeBadge } from '@/features/resources/connection-ref';
import { ResourceForm } from '@/features/resources/resource-form';
import { useResourceEditor } from '@/features/resources/use-resource-editor';
import { RunList } from '@/features/runs/run-list';
import { useRunList } from '@/features/runs/use-run-list';
import { KIND_LABELS } from '@/features/scripts/script-draft';
import { useApiQuery } from '@/lib/use-api-query';
import { FlowChain } from './flow-chain';
import { type FlowDraft, flowBody, flowDraftOf, localTimezone, validateFlow } from './flow-draft';
import { type Pickable, PickList } from './pick-list';
import { ScheduleFields } from './schedule-fields';
import { useRunNow } from './use-run-now';

function connectionDetail(resource: Export | Import) {
  return (
    <>
      {resource.connection.name} <ModeBadge mode={resource.connection.mode} />
    </>
  );
}

/**
 * The flow builder: the chain from export through scripts to imports drawn left to right, the
 * picks (scripts in order), when it runs, and Run now with the run history under it.
 */
export function FlowForm({ initial, readOnly }: { initial?: Flow; readOnly: boolean }) {
  const exports = useApiQuery<ExportList>('/v1/exports');
  const scripts = useApiQuery<ScriptList>('/v1/scripts');
  const imports = useApiQuery<ImportList>('/v1/imports');
  const [timezone] = useState(localTimezone);
  const editor = useResourceEditor<FlowDraft, Flow>({
    initial,
    toDraft: (saved) => flowDraftOf(saved, timezone),
    validate: validateFlow,
    kind: 'flows',
    bodyOf: flowBody,
    readOnly,
  });
  const { draft, errors, saved } = editor;
  const history = useRunList(saved ? `/v1/flows/${saved.id}/runs` : null);
  const { runNow, starting } = useRunNow(() => history.query.reload());

  const source = exports.data?.items.find((item) => item.id === draft.exportId);
  const pickedScripts: Pickable[] = draft.scriptIds.map((id) => {
    const script =
      scripts.data?.items.find((item) => item.id === id) ?? saved?.scripts.find((item) => item.id === id);
    return { id, name: script?.name ?? '…', detail: script ? KIND_LABELS[script.kind] : undefined };
  });
  const pickedImports: Pickable[] = draft.importIds.map((id) => {
    const destination = imports.data?.items.find((item) => item.id === id);
    return {
      id,
      name: destination?.name ?? saved?.imports.find((item) => item.id === id)?.name ?? '…',
      detail: destination ? connectionDetail(destination) : undefined,
    };
  });

  /** Run now runs what is saved: unsaved changes are saved first. */
  async function onRunNow() {
    const flow = editor.dirty ? await editor.submit() : saved;
    if (flow) await runNow(flow);
  }

  return (
    <>
      <ResourceForm
        editor={editor}
        words={{ kind: 'flows', title: 'Flow', plural: 'Flows', noun: 'flow' }}
        namePlaceholder="Orders to the CRM"
        description={
          saved
            ? 'Records move page by page from the export, through the scripts, to every import.'
            : 'Pick an export, the scripts records pass through, and one or more imports.'
        }
        readOnly={readOnly}
        headerActions={
          saved && !readOnly ? (
            <Button variant="primary" onClick={() => void onRunNow()} busy={starting === saved.id}>
              {starting === saved.id ? null : <PlayIcon size={15} />}
              Run now
            </Button>
          ) : undefined
        }
        preface={
          <FlowChain
            source={source}
            scripts={draft.scriptIds.map((id, index) => ({
              name: pickedScripts[index]?.name ?? '…',
              kind: scripts.data?.items.find((item) => item.id === id)?.kind ?? 'TRANSFORM',
            }))}
            destinations={draft.importIds.flatMap((id) => {
              const destination = imports.data?.items.find((item) => item.id === id);
              return destination ? [destination] : [];
            })}
          />
        }
      >
        <FormSection title="Export" description="Where the records come from, page by page.">
          <Field label="Export" error={errors.exportId}>
            {(control) => (
              <SelectMenu
                {...control}
                label="Exports"
                value={draft.exportId}
                options={(exports.data?.items ?? []).map((item) => ({
                  value: item.id,
                  text: item.name,
                  label: (
                    <span className={formStyles.optionRow}>
                      <strong>{item.name}</strong>
                      <span className={formStyles.headerMeta}>{connectionDetail(item)}</span>
                    </span>
                  ),
                }))}
                onChange={(exportId) => editor.set({ exportId })}
                placeholder={exports.data ? 'Choose an export' : 'Loading exports…'}
                empty="No exports in this environment yet: create one under Resources → Exports."
              />
            )}
          </Field>
        </FormSection>
        <FormSection
          title="Scripts"
          description="Run in this order on every record: a transform changes it, a filter keeps it or drops it. Optional."
        >
          <PickList
            label="Scripts"
            noun="script"
            picked={pickedScripts}
            available={(scripts.data?.items ?? [])
              .filter((script) => !draft.scriptIds.includes(script.id))
              .map((script) => ({ id: script.id, name: script.name, detail: KIND_LABELS[script.kind] }))}
            onChange={(scriptIds) => editor.set({ scriptIds })}
            error={errors.scriptIds}
            empty="No scripts: records go to the imports as the export reads them."
            disabled={readOnly}
          />
        </FormSection>
        <FormSection title="Imports" description="Each import gets every record that passed the scripts.">
          <PickList
            label="Imports"
            noun="import"
            picked={pickedImports}
            available={(imports.data?.items ?? [])
              .filter((destination) => !draft.importIds.includes(destination.id))
              .map((destination) => ({
                id: destination.id,
                name: destination.name,
                detail: connectionDetail(destination),
              }))}
            onChange={(importIds) => editor.set({ importIds })}
            error={errors.importIds ?? errors['importIds.0']}
            empty="Pick at least one import."
            disabled={readOnly}
          />
        </FormSection>
        <FormSection title="Schedule" description="When the flow runs, and how many records move at a time.">
          <ScheduleFields draft={draft} saved={saved} errors={errors} onChange={editor.set} />
        </FormSection>
      </ResourceForm>
      {saved ? (
        <div className={formStyles.after}>
          <Panel title="Run history">
            <RunList
              list={history}
              showFlow={false}
              empty={
                readOnly
                  ? 'Runs appear here when the flow is started, with Run now or on its schedule.'
                  : 'Run now starts one; a schedule starts them on its own.'
              }
            />
          </Panel>
        </div>
      ) : null}
    </>
  );
}
