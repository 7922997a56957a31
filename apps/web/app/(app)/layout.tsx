import type { ReactNode } from 'react';
import { SignedInApp } from '@/features/shell/signed-in-app';

export default function SignedInLayout({ children }: { children: ReactNode }) {
  return <SignedInApp>{children}</SignedInApp>;
}
