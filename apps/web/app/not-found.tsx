import type { Metadata } from 'next';
import { ButtonLink } from '@/components/button';
import { EmptyState } from '@/components/empty-state';
import { LogoIcon } from '@/components/icons';

export const metadata: Metadata = { title: 'Page not found' };

export default function NotFound() {
  return (
    <main style={{ display: 'grid', placeItems: 'center', minHeight: '100vh' }}>
      <EmptyState
        icon={<LogoIcon size={22} />}
        title="Page not found"
        description="There is no page at this address. It may have moved, or the link may be incomplete."
        actions={
          <ButtonLink href="/" variant="primary">
            Go to Outpost
          </ButtonLink>
        }
      />
    </main>
  );
}
