'use client';

import type { Flow } from '@outpost/protocol/rest/flows';
import { Switch } from '@/components/switch';

/** A flow's Enabled switch in the list: off, its schedule queues no runs (Run now still works). */
export function EnabledSwitch({
  flow,
  disabled,
  onChange,
}: {
  flow: Pick<Flow, 'name' | 'enabled'>;
  disabled: boolean;
  onChange: (enabled: boolean) => void;
}) {
  return (
    <Switch
      label={`${flow.name} enabled`}
      labelHidden
      checked={flow.enabled}
      disabled={disabled}
      onChange={onChange}
    />
  );
}
