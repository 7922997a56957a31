import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has defaults that run one instance on the embedded database', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      redisUrl: undefined,
      logLevel: 'info',
      redisPrefix: 'outpost:',
      internalUrl: undefined,
      drainGraceMs: 10_000,
      metricsToken: undefined,
      flowConcurrency: 4,
    });
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.publicUrl).toBe('http://localhost:4000');
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({
      DATABASE_URL: '',
      OUTPOST_DATA_DIR: '',
      REDIS_URL: '',
      OUTPOST_PUBLIC_URL: '',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('./data'));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '4321',
      DATABASE_URL: 'postgresql://db.internal:5432/outpost',
      REDIS_URL: 'redis://cache:6379',
      OUTPOST_PUBLIC_URL: 'https://outpost.example.com/',
      LOG_LEVEL: 'debug',
      OUTPOST_REDIS_PREFIX: 'outpost:staging',
      OUTPOST_INTERNAL_URL: 'http://10.0.0.7:4000/',
      OUTPOST_DRAIN_GRACE_MS: '30000',
      OUTPOST_METRICS_TOKEN: 'scrape-me',
      OUTPOST_FLOW_CONCURRENCY: '8',
    });
    expect(config).toMatchObject({
      redisPrefix: 'outpost:staging:',
      internalUrl: 'http://10.0.0.7:4000',
      drainGraceMs: 30_000,
      metricsToken: 'scrape-me',
      flowConcurrency: 8,
      port: 4321,
      databaseUrl: 'postgresql://db.internal:5432/outpost',
      redisUrl: 'redis://cache:6379',
      publicUrl: 'https://outpost.example.com',
      logLevel: 'debug',
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ OUTPOST_REDIS_PREFIX: 'has space' })).toThrow(/OUTPOST_REDIS_PREFIX/);
    expect(() => loadConfig({ OUTPOST_INTERNAL_URL: 'ftp://x' })).toThrow(/OUTPOST_INTERNAL_URL/);
    expect(() => loadConfig({ OUTPOST_DRAIN_GRACE_MS: '-1' })).toThrow(/OUTPOST_DRAIN_GRACE_MS/);
    expect(() => loadConfig({ OUTPOST_FLOW_CONCURRENCY: '0' })).toThrow(/OUTPOST_FLOW_CONCURRENCY/);
  });
});
