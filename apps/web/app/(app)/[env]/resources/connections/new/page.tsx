import type { Metadata } from 'next';
import { NewConnectionPage } from '@/features/connections/connection-pages';

export const metadata: Metadata = { title: 'New connection' };

export default NewConnectionPage;
