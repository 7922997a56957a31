import type { FlowRunStatus } from '@outpost/protocol/rest/runs';
import { Badge, type BadgeTone } from '@/components/badge';
import { STATUS_LABELS } from './run-format';

const TONES: Record<FlowRunStatus, BadgeTone> = {
  queued: 'neutral',
  running: 'accent',
  succeeded: 'success',
  failed: 'danger',
  cancelled: 'warning',
};

/** Queued, Running, Succeeded, Failed or Cancelled, in its colour. */
export function RunStatusBadge({ status }: { status: FlowRunStatus }) {
  return (
    <span data-testid="run-status" data-status={status}>
      <Badge tone={TONES[status]} dot>
        {STATUS_LABELS[status]}
      </Badge>
    </span>
  );
}
