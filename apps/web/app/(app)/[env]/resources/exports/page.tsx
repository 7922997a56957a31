import type { Metadata } from 'next';
import { ExportsPage } from '@/features/exports/exports-page';

export const metadata: Metadata = { title: 'Exports' };

export default ExportsPage;
