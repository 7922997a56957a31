/** A record on its way through a page, with its position in the page as the export read it. */
export interface PageRecord {
  index: number;
  record: unknown;
}

/** A record that failed at a step, as stored in FlowRunRecordError. */
export interface RecordFailure {
  page: number;
  index: number;
  stage: 'export' | 'script' | 'import';
  step: string;
  message: string;
  record: unknown;
}
