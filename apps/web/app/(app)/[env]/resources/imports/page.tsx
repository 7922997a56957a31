import type { Metadata } from 'next';
import { ImportsPage } from '@/features/imports/imports-page';

export const metadata: Metadata = { title: 'Imports' };

export default ImportsPage;
