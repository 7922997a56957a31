import { describe, expect, it } from 'vitest';
import { joinUrl, splitHttpSettings } from './settings.ts';

describe('joinUrl', () => {
  it.each([
    ['http://erp:8080', '/health', 'http://erp:8080/health'],
    ['http://erp:8080/api/', '/v1/orders?x=1', 'http://erp:8080/api/v1/orders?x=1'],
    ['http://erp:8080/api?key=1', '/orders', 'http://erp:8080/api/orders?key=1'],
    ['https://erp', '//evil.example/x', 'https://erp/evil.example/x'],
    ['https://erp', '/../../etc', 'https://erp/etc'],
    ['https://erp', '/@evil.example', 'https://erp/@evil.example'],
  ])('%s + %s = %s (a path never changes the host)', (base, path, joined) => {
    expect(joinUrl(base, path)).toBe(joined);
  });
});

describe('splitHttpSettings', () => {
  const basic = { type: 'basic' as const, username: 'ann' };

  it('keeps the secret out of the settings', () => {
    const { settings, secrets } = splitHttpSettings(
      { baseUri: 'https://erp', testPath: '/', auth: { ...basic, password: 'pw' } },
      null,
    );
    expect(settings).toEqual({ baseUri: 'https://erp', testPath: '/', auth: basic });
    expect(secrets).toEqual({ password: 'pw' });
  });

  it('keeps a stored secret while the auth type stays, and asks for one when it changes', () => {
    const previous = { auth: basic, secrets: { password: 'stored' } };
    expect(
      splitHttpSettings({ baseUri: 'https://erp', testPath: '/', auth: basic }, previous).secrets,
    ).toEqual({
      password: 'stored',
    });
    expect(() =>
      splitHttpSettings({ baseUri: 'https://erp', testPath: '/', auth: { type: 'bearer' } }, previous),
    ).toThrow(
      expect.objectContaining({ issues: [{ path: 'body.http.auth.token', message: expect.any(String) }] }),
    );
    expect(
      splitHttpSettings({ baseUri: 'https://erp', testPath: '/', auth: { type: 'none' } }, previous).secrets,
    ).toEqual({});
  });
});
