import { Alert } from '@/components/alert';

/** The words of the product article, on every page of a legacy account. */
export const LEGACY_BANNER_TEXT =
  'Production and Sandbox share every resource: any resource you create, edit or delete in one environment is immediately reflected in the other.';

export function LegacyBanner() {
  return (
    <Alert tone="warning" title="Legacy Production/Sandbox license" data-testid="legacy-environment-banner">
      {LEGACY_BANNER_TEXT}
    </Alert>
  );
}
