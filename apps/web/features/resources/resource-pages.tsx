'use client';

import type { ComponentType, ReactNode } from 'react';
import { ButtonLink } from '@/components/button';
import { EmptyState } from '@/components/empty-state';
import type { IconProps } from '@/components/icons';
import { PageHeader } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { QueryView } from '@/features/shell/query-view';
import { useEnvironment } from '@/lib/environment';
import { useMe } from '@/lib/me';
import { permissionsOf } from '@/lib/permissions';
import { useApiQuery } from '@/lib/use-api-query';
import { usePolling } from '@/lib/use-polling';
import { type ResourceKind, resourcesPath } from './resource-paths';

export interface ResourceWords {
  kind: ResourceKind;
  /** "Export": the page's title while loading. */
  title: string;
  /** "Exports": the list. */
  plural: string;
  /** "export": in messages. */
  noun: string;
  icon: ComponentType<IconProps>;
}

/**
 * A resource's own page: loads `/v1/<kind>/<id>` and hands it to `children`. An id the environment
 * does not have (deleted, another environment's, or not an id at all) says so without revealing more.
 */
export function ResourceLoader<T>({
  id,
  words,
  poll,
  children,
}: {
  id: string;
  words: ResourceWords;
  /** Whether to ask again every 1.5 s, e.g. while a run is queued or running. */
  poll?: (resource: T) => boolean;
  children: (resource: T, reload: () => void) => ReactNode;
}) {
  const environment = useEnvironment();
  const query = useApiQuery<T>(`/v1/${words.kind}/${encodeURIComponent(id)}`);
  usePolling(query.data !== undefined && (poll?.(query.data) ?? false), query.reload);
  const missing = query.error && (query.error.status === 404 || query.error.status === 400);
  if (query.data) return children(query.data, query.reload);
  const Icon = words.icon;
  return (
    <>
      <PageHeader eyebrow="Resources" title={words.title} />
      <Panel>
        {missing ? (
          <EmptyState
            icon={<Icon size={22} />}
            title={`${words.title} not found`}
            description={`There is no such ${words.noun} in ${environment.name}: it may have been deleted, or belong to another environment.`}
            actions={
              <ButtonLink href={resourcesPath(environment.slug, words.kind)}>
                Back to {words.plural.toLowerCase()}
              </ButtonLink>
            }
          />
        ) : (
          <QueryView query={query} what={`the ${words.noun}`}>
            {() => null}
          </QueryView>
        )}
      </Panel>
    </>
  );
}

/** The create page for a role that may not create: says who can. */
function CannotCreate({ words }: { words: ResourceWords }) {
  const environment = useEnvironment();
  const Icon = words.icon;
  return (
    <>
      <PageHeader eyebrow="Resources" title={`New ${words.noun}`} />
      <Panel>
        <EmptyState
          icon={<Icon size={22} />}
          title={`Your role cannot create ${words.plural.toLowerCase()}`}
          description="An owner, admin or manager of the account can create one."
          actions={
            <ButtonLink href={resourcesPath(environment.slug, words.kind)}>
              Back to {words.plural.toLowerCase()}
            </ButtonLink>
          }
        />
      </Panel>
    </>
  );
}

/** The form of a resource's create and edit pages; read-only for roles that may not change it. */
export type ResourceFormComponent<T> = ComponentType<{ initial?: T; readOnly: boolean }>;

/**
 * A resource's create page (`…/new`, for roles that may manage resources) and edit page
 * (`…/<id>`, read-only for MONITOR), around its form.
 */
export function resourcePages<T>(words: ResourceWords, Form: ResourceFormComponent<T>) {
  function NewResourcePage() {
    const { me } = useMe();
    if (!permissionsOf(me).manage) return <CannotCreate words={words} />;
    return <Form readOnly={false} />;
  }
  function EditResourcePage({ id }: { id: string }) {
    const { me } = useMe();
    return (
      <ResourceLoader<T> id={id} words={words}>
        {(saved) => <Form initial={saved} readOnly={!permissionsOf(me).manage} />}
      </ResourceLoader>
    );
  }
  return { NewResourcePage, EditResourcePage };
}
