'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { Alert } from '@/components/alert';
import { Button, ButtonLink } from '@/components/button';
import { formStyles } from '@/components/form-layout';
import { PageHeader } from '@/components/page-header';
import { useToast } from '@/components/toast';
import { useEnvironment } from '@/lib/environment';
import { NameSection } from './name-section';
import type { ResourceWords } from './resource-pages';
import { resourcesPath } from './resource-paths';
import type { ResourceEditor } from './use-resource-editor';

interface Named {
  name: string;
  description: string;
}

/**
 * A resource's form page: the header (Resources / its list), a note for read-only roles, the
 * sections, and a footer that stays in sight with the form's message and Save. MONITOR sees the
 * same page with every field disabled and no buttons.
 */
export function ResourceForm<Draft extends Named, Saved extends { id: string; name: string }>({
  editor,
  words,
  namePlaceholder,
  description,
  headerActions,
  readOnly,
  footerStart,
  preface,
  children,
}: {
  editor: ResourceEditor<Draft, Saved>;
  words: Pick<ResourceWords, 'kind' | 'title' | 'plural' | 'noun'>;
  /** An example name: "Open orders". */
  namePlaceholder: string;
  description: ReactNode;
  headerActions?: ReactNode;
  readOnly: boolean;
  /** Buttons at the footer's start, e.g. Check. */
  footerStart?: ReactNode;
  /** Full width above the sections, e.g. the flow builder's chain. */
  preface?: ReactNode;
  /** The sections after Name and Description. */
  children: ReactNode;
}) {
  const toast = useToast();
  const environment = useEnvironment();
  const { saved, busy, dirty, formError, formRef, draft, errors } = editor;
  const list = { label: words.plural, href: resourcesPath(environment.slug, words.kind) };
  const title = `New ${words.noun}`;

  async function onSave() {
    const resource = await editor.submit();
    if (resource) toast(`${resource.name} was saved`);
  }

  return (
    <>
      <PageHeader
        eyebrow={
          <>
            Resources / <Link href={list.href}>{list.label}</Link>
          </>
        }
        title={saved ? saved.name : title}
        description={description}
        actions={headerActions}
      />
      <form
        ref={formRef}
        noValidate
        className={formStyles.form}
        aria-label={saved ? saved.name : title}
        onSubmit={(event) => {
          event.preventDefault();
          if (!readOnly && !busy) void onSave();
        }}
      >
        {readOnly ? (
          <div className={formStyles.notice}>
            <Alert tone="info">
              You can view this {words.noun}. An owner, admin or manager of the account can change it.
            </Alert>
          </div>
        ) : null}
        {preface}
        <fieldset className={formStyles.plainFieldset} disabled={readOnly}>
          <NameSection
            title={words.title}
            value={draft}
            errors={errors}
            // Draft extends Named: a change of its name or description is a change of the draft.
            onChange={(patch) => editor.set(patch as Partial<Draft>)}
            placeholder={namePlaceholder}
            autoFocus={!saved && !readOnly}
          />
          {children}
        </fieldset>
        {readOnly ? null : (
          <footer className={formStyles.footer}>
            {formError ? (
              <Alert tone="danger" className={formStyles.result}>
                {formError}
              </Alert>
            ) : null}
            <div className={formStyles.footerBar}>
              {footerStart}
              <span className={formStyles.saveState} aria-live="polite">
                {busy
                  ? 'Saving…'
                  : !saved
                    ? 'Not saved yet.'
                    : dirty
                      ? 'Unsaved changes.'
                      : 'All changes saved.'}
              </span>
              <div className={formStyles.footerEnd}>
                <ButtonLink href={list.href} variant="ghost">
                  {saved && !dirty ? `Back to ${list.label.toLowerCase()}` : 'Cancel'}
                </ButtonLink>
                <Button type="submit" variant="primary" busy={busy} disabled={saved !== undefined && !dirty}>
                  Save
                </Button>
              </div>
            </div>
          </footer>
        )}
      </form>
    </>
  );
}
