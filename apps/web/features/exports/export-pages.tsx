'use client';

import type { Export } from '@outpost/protocol/rest/exports';
import { ExportIcon } from '@/components/icons';
import { resourcePages } from '@/features/resources/resource-pages';
import { ExportForm } from './export-form';

/** Resources → Exports → Create export, and one export to change (read-only for MONITOR). */
const pages = resourcePages<Export>(
  { kind: 'exports', title: 'Export', plural: 'Exports', noun: 'export', icon: ExportIcon },
  ExportForm,
);
export const NewExportPage = pages.NewResourcePage;
export const EditExportPage = pages.EditResourcePage;
