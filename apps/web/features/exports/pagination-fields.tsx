'use client';

import { SelectField, TextField } from '@/components/field';
import { formStyles } from '@/components/form-layout';
import { SegmentedControl } from '@/components/segmented-control';
import type { FieldErrors } from '@/lib/form-errors';
import { type ExportDraft, PAGINATION_LABELS, type PaginationType } from './export-draft';

type Pagination = ExportDraft['http']['pagination'];

const TYPE_OPTIONS = (Object.keys(PAGINATION_LABELS) as PaginationType[]).map((value) => ({
  value,
  label: PAGINATION_LABELS[value],
}));

const TYPE_HINTS: Record<PaginationType, string> = {
  none: 'One request: its records are all there is.',
  next_link: 'Each page says where the next one is; the export ends when there is no next link.',
  page_number: 'A page number goes up by one until a page comes back with no records.',
  cursor: 'Each page gives a cursor that is sent back for the next one; the export ends when it is missing.',
};

/** How an HTTP export finds its next page: None, Next link, Page number or Cursor. */
export function PaginationFields({
  pagination,
  errors,
  onChange,
}: {
  pagination: Pagination;
  errors: FieldErrors;
  onChange: (patch: Partial<Pagination>) => void;
}) {
  const text = (field: keyof Pagination, error?: string) => ({
    name: field,
    value: String(pagination[field]),
    onChange: (event: { target: { value: string } }) => onChange({ [field]: event.target.value }),
    error,
    autoComplete: 'off',
    spellCheck: false,
  });
  return (
    <>
      <SegmentedControl
        label="Pagination"
        value={pagination.type}
        options={TYPE_OPTIONS}
        onChange={(type) => onChange({ type })}
        hint={TYPE_HINTS[pagination.type]}
      />
      {pagination.type === 'next_link' ? (
        <div className={formStyles.pair}>
          <SelectField
            label="Next link from"
            name="nextSource"
            value={pagination.nextSource}
            onChange={(event) => onChange({ nextSource: event.target.value as Pagination['nextSource'] })}
          >
            <option value="body">The response body</option>
            <option value="link_header">The Link header (rel="next")</option>
          </SelectField>
          {pagination.nextSource === 'body' ? (
            <TextField
              label="Next link path"
              placeholder="links.next"
              hint="Where the link is in the body."
              {...text('nextPath', errors['http.pagination.path'])}
            />
          ) : null}
        </div>
      ) : null}
      {pagination.type === 'page_number' ? (
        <>
          <div className={formStyles.pair}>
            <TextField
              label="Page parameter"
              placeholder="page"
              {...text('pageParam', errors['http.pagination.param'])}
            />
            <TextField
              label="Start at"
              inputMode="numeric"
              placeholder="1"
              {...text('startAt', errors['http.pagination.startAt'])}
            />
          </div>
          <div className={formStyles.pair}>
            <TextField
              label="Page size parameter"
              optional
              placeholder="per_page"
              {...text('sizeParam', errors['http.pagination.sizeParam'])}
            />
            <TextField
              label="Page size"
              optional
              inputMode="numeric"
              placeholder="100"
              {...text('size', errors['http.pagination.size'])}
            />
          </div>
        </>
      ) : null}
      {pagination.type === 'cursor' ? (
        <div className={formStyles.pair}>
          <TextField
            label="Cursor parameter"
            placeholder="cursor"
            hint="Sent with the cursor for the next page."
            {...text('cursorParam', errors['http.pagination.param'])}
          />
          <TextField
            label="Cursor path"
            placeholder="meta.next_cursor"
            hint="Where the cursor is in each page's body."
            {...text('cursorPath', errors['http.pagination.path'])}
          />
        </div>
      ) : null}
    </>
  );
}
