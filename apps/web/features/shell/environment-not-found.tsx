import { ButtonLink } from '@/components/button';
import { EmptyState } from '@/components/empty-state';
import { LayersIcon } from '@/components/icons';
import { Panel } from '@/components/panel';
import { HOME_PATH } from '@/lib/paths';

export function EnvironmentNotFound({ slug }: { slug: string }) {
  return (
    <Panel>
      <div data-testid="environment-not-found">
        <EmptyState
          icon={<LayersIcon size={22} />}
          title="Environment not found"
          description={
            <>
              This account has no environment <code>{slug}</code>. It may have been renamed, or the link may
              belong to another account.
            </>
          }
          actions={
            <ButtonLink href={HOME_PATH} variant="primary">
              Go to Production
            </ButtonLink>
          }
        />
      </div>
    </Panel>
  );
}
