'use client';

import type { Flow } from '@outpost/protocol/rest/flows';
import { FlowIcon } from '@/components/icons';
import { resourcePages } from '@/features/resources/resource-pages';
import { FlowForm } from './flow-form';

/** Resources → Flows → Create flow, and one flow's builder with its runs (read-only for MONITOR). */
const pages = resourcePages<Flow>(
  { kind: 'flows', title: 'Flow', plural: 'Flows', noun: 'flow', icon: FlowIcon },
  FlowForm,
);
export const NewFlowPage = pages.NewResourcePage;
export const EditFlowPage = pages.EditResourcePage;
