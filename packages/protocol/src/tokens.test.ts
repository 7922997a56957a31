import { describe, expect, it } from 'vitest';
import { digestToken, generateToken, isWellFormedToken, tokenLast4 } from './tokens.ts';

describe('tokens', () => {
  it('have the kind prefix, 36 base62 characters and a valid checksum', () => {
    const token = generateToken('agent');
    expect(token).toMatch(/^opa_[0-9A-Za-z]{36}$/);
    expect(isWellFormedToken(token, 'agent')).toBe(true);
    expect(isWellFormedToken(generateToken('apiToken'), 'apiToken')).toBe(true);
  });

  it('are never repeated', () => {
    const tokens = new Set(Array.from({ length: 10_000 }, () => generateToken('agent')));
    expect(tokens.size).toBe(10_000);
  });

  it('reject a wrong prefix, a wrong length, a foreign character and any single-character change', () => {
    const token = generateToken('agent');
    expect(isWellFormedToken(token, 'apiToken')).toBe(false);
    expect(isWellFormedToken(`${token}x`, 'agent')).toBe(false);
    expect(isWellFormedToken(token.slice(0, -1), 'agent')).toBe(false);
    expect(isWellFormedToken(`${token.slice(0, 10)}-${token.slice(11)}`, 'agent')).toBe(false);
    for (let i = 4; i < token.length; i++) {
      const swapped = token[i] === 'a' ? 'b' : 'a';
      expect(isWellFormedToken(token.slice(0, i) + swapped + token.slice(i + 1), 'agent')).toBe(false);
    }
  });

  it('digest to SHA-256 hex and show their last four characters', () => {
    expect(digestToken('opa_x')).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenLast4('opa_abcdWXYZ')).toBe('WXYZ');
  });
});
