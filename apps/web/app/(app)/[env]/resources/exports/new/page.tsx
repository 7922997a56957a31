import type { Metadata } from 'next';
import { NewExportPage } from '@/features/exports/export-pages';

export const metadata: Metadata = { title: 'New export' };

export default NewExportPage;
