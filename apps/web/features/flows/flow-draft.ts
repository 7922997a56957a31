import { CreateFlowBody, type Flow, UpdateFlowBody } from '@outpost/protocol/rest/flows';
import { checkWithSchema, type FieldErrors } from '../../lib/form-errors';

/** The flow builder: every field as picked or typed. */
export interface FlowDraft {
  name: string;
  description: string;
  exportId: string;
  /** Run in this order on every record. */
  scriptIds: string[];
  importIds: string[];
  pageSize: string;
  /** Manual: runs only when started; Schedule: the cron expression below. */
  trigger: 'manual' | 'schedule';
  schedule: string;
  timezone: string;
  enabled: boolean;
}

export const DEFAULT_PAGE_SIZE = 500;

/** The browser's time zone, for a new flow's schedule; UTC where it has none. */
export function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function flowDraftOf(saved: Flow | undefined, timezone = 'UTC'): FlowDraft {
  if (!saved)
    return {
      name: '',
      description: '',
      exportId: '',
      scriptIds: [],
      importIds: [],
      pageSize: String(DEFAULT_PAGE_SIZE),
      trigger: 'manual',
      schedule: '0 2 * * *',
      timezone,
      enabled: true,
    };
  return {
    name: saved.name,
    description: saved.description,
    exportId: saved.export.id,
    scriptIds: saved.scripts.map((script) => script.id),
    importIds: saved.imports.map((destination) => destination.id),
    pageSize: String(saved.pageSize),
    trigger: saved.schedule === null ? 'manual' : 'schedule',
    schedule: saved.schedule ?? '0 2 * * *',
    timezone: saved.timezone,
    enabled: saved.enabled,
  };
}

/** What `POST /v1/flows` and `PATCH /v1/flows/:id` are sent: the whole flow. */
export function flowBody(draft: FlowDraft) {
  const pageSize = draft.pageSize.trim();
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    exportId: draft.exportId,
    scriptIds: draft.scriptIds,
    importIds: draft.importIds,
    pageSize: /^\d+$/.test(pageSize) ? Number(pageSize) : pageSize,
    schedule: draft.trigger === 'schedule' ? draft.schedule.trim() : null,
    timezone: draft.timezone,
    enabled: draft.enabled,
  };
}

export function validateFlow(draft: FlowDraft, saved: Flow | undefined): FieldErrors {
  const errors: FieldErrors = {};
  if (draft.exportId === '') errors.exportId = 'Pick the export the flow reads from';
  if (draft.trigger === 'schedule' && draft.schedule.trim().split(/\s+/).length !== 5)
    errors.schedule = 'Five fields: minute hour day-of-month month day-of-week, e.g. 30 2 * * *';
  return checkWithSchema(errors, saved ? UpdateFlowBody : CreateFlowBody, flowBody(draft));
}

/** The list with the item at `index` moved by `offset` (−1 up, +1 down); unchanged at either end. */
export function moveItem<T>(items: readonly T[], index: number, offset: -1 | 1): T[] {
  const target = index + offset;
  const moved = [...items];
  const [item] = moved.splice(index, 1);
  if (item === undefined || target < 0 || target > items.length - 1) return [...items];
  moved.splice(target, 0, item);
  return moved;
}
