import type { Metadata } from 'next';
import { NewImportPage } from '@/features/imports/import-pages';

export const metadata: Metadata = { title: 'New import' };

export default NewImportPage;
