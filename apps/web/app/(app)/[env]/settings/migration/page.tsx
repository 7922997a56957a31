import type { Metadata } from 'next';
import { MigrationPreviewPage } from '@/features/migration/migration-preview-page';

export const metadata: Metadata = { title: 'Migrate to multiple environments' };

export default MigrationPreviewPage;
