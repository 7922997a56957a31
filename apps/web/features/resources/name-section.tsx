'use client';

import { TextField } from '@/components/field';
import { FormSection } from '@/components/form-layout';
import type { FieldErrors } from '@/lib/form-errors';

/** The first section of an export, import, script or flow: its name and an optional description. */
export function NameSection({
  title,
  value,
  errors,
  onChange,
  placeholder,
  autoFocus,
}: {
  title: string;
  value: { name: string; description: string };
  errors: FieldErrors;
  onChange: (patch: Partial<{ name: string; description: string }>) => void;
  placeholder: string;
  autoFocus: boolean;
}) {
  return (
    <FormSection title={title} description="The name it is known by in flows and runs.">
      <TextField
        label="Name"
        name="name"
        value={value.name}
        onChange={(event) => onChange({ name: event.target.value })}
        placeholder={placeholder}
        error={errors.name}
        autoComplete="off"
        maxLength={100}
        autoFocus={autoFocus}
      />
      <TextField
        label="Description"
        name="description"
        optional
        value={value.description}
        onChange={(event) => onChange({ description: event.target.value })}
        error={errors.description}
        autoComplete="off"
      />
    </FormSection>
  );
}
