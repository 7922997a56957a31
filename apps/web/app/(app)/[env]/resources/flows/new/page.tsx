import type { Metadata } from 'next';
import { NewFlowPage } from '@/features/flows/flow-pages';

export const metadata: Metadata = { title: 'New flow' };

export default NewFlowPage;
