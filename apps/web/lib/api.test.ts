import { describe, expect, it } from 'vitest';
import { ApiError } from './api';

describe('ApiError.fieldErrors', () => {
  it('maps body paths to form fields, first message per field', () => {
    const error = new ApiError(400, 'validation_failed', 'body.email: Enter a valid e-mail address', 'r1', [
      { path: 'body.email', message: 'Enter a valid e-mail address' },
      { path: 'body.email', message: 'Second message' },
      { path: 'body.password', message: 'Use at least 12 characters' },
      { path: 'body', message: 'Not a field' },
    ]);
    expect(error.fieldErrors()).toEqual({
      email: 'Enter a valid e-mail address',
      password: 'Use at least 12 characters',
    });
  });
});
