'use client';

import type { Import } from '@outpost/protocol/rest/imports';
import { ImportIcon } from '@/components/icons';
import { resourcePages } from '@/features/resources/resource-pages';
import { ImportForm } from './import-form';

/** Resources → Imports → Create import, and one import to change (read-only for MONITOR). */
const pages = resourcePages<Import>(
  { kind: 'imports', title: 'Import', plural: 'Imports', noun: 'import', icon: ImportIcon },
  ImportForm,
);
export const NewImportPage = pages.NewResourcePage;
export const EditImportPage = pages.EditResourcePage;
