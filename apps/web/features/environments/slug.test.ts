import { describe, expect, it } from 'vitest';
import { slugFromName } from './slug';

describe('slugFromName', () => {
  it.each([
    ['EU Staging', 'eu-staging'],
    ['  Prod (Zürich) ', 'prod-zurich'],
    ['QA #2', 'qa-2'],
    ['---', ''],
  ])('%s → %s', (name, slug) => {
    expect(slugFromName(name)).toBe(slug);
  });

  it('stays within 40 characters and never ends with a dash', () => {
    const slug = slugFromName(`${'a'.repeat(39)} b`);
    expect(slug.length).toBeLessThanOrEqual(40);
    expect(slug.endsWith('-')).toBe(false);
  });
});
