import type { Metadata } from 'next';
import { NewScriptPage } from '@/features/scripts/script-pages';

export const metadata: Metadata = { title: 'New script' };

export default NewScriptPage;
