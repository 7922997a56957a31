import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from './api';
import { checkFields, checkSchema, saveErrors } from './use-form-submit';

describe('checkFields', () => {
  it('gives the values when there is nothing to say, the messages otherwise', () => {
    expect(checkFields({}, { name: 'Nightly' })).toEqual({ values: { name: 'Nightly' } });
    expect(checkFields({ name: 'Give the token a name' }, { name: '' })).toEqual({
      errors: { name: 'Give the token a name' },
    });
  });
});

describe('checkSchema', () => {
  const schema = z.object({ name: z.string().min(1, 'Enter a name') });

  it('gives the parsed values or the first message per field', () => {
    expect(checkSchema(schema, { name: 'Staging' })).toEqual({ values: { name: 'Staging' } });
    expect(checkSchema(schema, { name: '' })).toEqual({ errors: { name: 'Enter a name' } });
  });
});

describe('saveErrors', () => {
  it('puts the API field messages next to their fields', () => {
    const error = new ApiError(400, 'validation_failed', 'body.name: Taken', null, [
      { path: 'body.name', message: 'Taken' },
    ]);
    expect(saveErrors(error)).toEqual({ fields: { name: 'Taken' } });
  });

  it('puts anything else above the buttons', () => {
    expect(saveErrors(new ApiError(500, 'internal', 'Outpost is down'))).toEqual({
      fields: {},
      form: 'Outpost is down',
    });
    expect(saveErrors('nope')).toEqual({ fields: {}, form: 'Something went wrong.' });
  });
});
