import { describe, expect, it } from 'vitest';
import { changeKind, lineOf, STARTER_SOURCES, scriptDraftOf, validateScript } from './script-draft';

describe('a new script', () => {
  it('starts as a transform that passes records on', () => {
    expect(scriptDraftOf(undefined)).toEqual({
      name: '',
      description: '',
      kind: 'TRANSFORM',
      source: 'function transform(record) {\n  return record;\n}\n',
    });
  });
});

describe('changeKind', () => {
  it('swaps the starter while the source is untouched', () => {
    const draft = scriptDraftOf(undefined);
    expect(changeKind(draft, 'FILTER').source).toBe(STARTER_SOURCES.FILTER);
    expect(changeKind({ ...draft, source: '  ' }, 'FILTER').source).toBe(STARTER_SOURCES.FILTER);
  });

  it('keeps what was written', () => {
    const source = 'function transform(record) {\n  return { ...record, vip: true };\n}\n';
    expect(changeKind({ ...scriptDraftOf(undefined), source }, 'FILTER')).toMatchObject({
      kind: 'FILTER',
      source,
    });
  });
});

describe('validateScript', () => {
  it('names the field the API would', () => {
    expect(validateScript({ ...scriptDraftOf(undefined), source: '' }, undefined)).toEqual({
      name: 'Name is required',
      source: 'Source is required',
    });
  });
});

describe('lineOf', () => {
  it('reads the line a check names', () => {
    expect(lineOf('Line 3: Unexpected token')).toBe(3);
    expect(lineOf('Line 12')).toBe(12);
    expect(lineOf('transform is not defined')).toBeNull();
    expect(lineOf(undefined)).toBeNull();
  });
});
