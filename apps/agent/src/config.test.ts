import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  agentHome,
  ConfigError,
  connectUrl,
  hubHttpUrl,
  loadConfig,
  maskToken,
  readEnvironment,
  updateConfigFile,
} from './config.ts';

let folder: string;
let home: string;
let bundle: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'outpost-agent-config-'));
  home = path.join(folder, 'home');
  bundle = path.join(folder, 'bundle');
  for (const dir of [home, bundle]) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const write = (file: string, value: unknown) => {
  updateConfigFile(file, value as never);
};

describe('configuration', () => {
  it('takes flags over environment over the home file over the bundled file', () => {
    write(path.join(bundle, 'outpost-agent.json'), { url: 'https://bundled.example', token: 'bundled' });
    const load = (flags = {}, env = {}) =>
      loadConfig({ flags, env: { OUTPOST_AGENT_HOME: home, ...env }, bundleDir: bundle });

    expect(load().url).toEqual({ value: 'https://bundled.example', source: 'bundled config' });
    write(path.join(home, 'outpost-agent.json'), { url: 'https://home.example', token: 'home' });
    expect(load().url).toEqual({ value: 'https://home.example', source: 'config file' });
    expect(load().token).toEqual({ value: 'home', source: 'config file' });
    const env = { OUTPOST_URL: 'https://env.example', OUTPOST_AGENT_TOKEN: 'env' };
    expect(load({}, env).url).toEqual({ value: 'https://env.example', source: 'environment' });
    expect(load({}, env).token?.value).toBe('env');
    expect(load({ url: 'https://flag.example', token: 'flag' }, env).url?.source).toBe('flag');
    expect(load({ url: 'https://flag.example', token: 'flag' }, env).token?.value).toBe('flag');
  });

  it('reads and writes --config instead of the home file', () => {
    const other = path.join(folder, 'elsewhere.json');
    write(other, { url: 'https://other.example' });
    const config = loadConfig({
      flags: { config: other },
      env: { OUTPOST_AGENT_HOME: home },
      bundleDir: bundle,
    });
    expect(config.configPath).toBe(other);
    expect(config.url?.value).toBe('https://other.example');
    expect(config.home).toBe(home);
  });

  it('writes the file atomically, mode 0600, keeping what else it holds', () => {
    const file = path.join(home, 'outpost-agent.json');
    write(file, { url: 'https://x.example', policy: { deny: ['10.0.0.0/8'] } });
    write(file, { token: 'opa_x' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      url: 'https://x.example',
      token: 'opa_x',
      policy: { allow: [], deny: ['10.0.0.0/8'], allowCloudMetadata: false },
    });
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(home).mode & 0o777).toBe(0o700);
    }
    expect(readdirSync(home)).toEqual(['outpost-agent.json']);
  });

  it('names the file and the field of a bad config', () => {
    const file = path.join(home, 'outpost-agent.json');
    write(file, {});
    writeFileSync(file, '{ "policy": { "deny": ["10.0.0.0/99"] } }');
    expect(() => loadConfig({ env: { OUTPOST_AGENT_HOME: home }, bundleDir: bundle })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        message: expect.stringMatching(/policy\.deny\.0.*prefix/),
      }),
    );
    writeFileSync(file, '{ "policy": { "alow": [] } }');
    expect(() => loadConfig({ env: { OUTPOST_AGENT_HOME: home }, bundleDir: bundle })).toThrow(ConfigError);
    writeFileSync(file, 'not json');
    expect(() => loadConfig({ env: { OUTPOST_AGENT_HOME: home }, bundleDir: bundle })).toThrow(
      /not valid JSON/,
    );
  });

  it('keeps the agent home where each OS expects it', () => {
    const user = { isRoot: false, homedir: '/home/ana' };
    expect(agentHome({}, { platform: 'linux', ...user })).toBe('/home/ana/.config/outpost-agent');
    expect(agentHome({ XDG_CONFIG_HOME: '/xdg' }, { platform: 'linux', ...user })).toBe('/xdg/outpost-agent');
    expect(agentHome({}, { platform: 'linux', isRoot: true, homedir: '/root' })).toBe('/etc/outpost-agent');
    expect(agentHome({}, { platform: 'darwin', isRoot: false, homedir: '/Users/ana' })).toBe(
      '/Users/ana/Library/Application Support/Outpost Agent',
    );
    expect(agentHome({ ProgramData: 'D:\\ProgramData' }, { platform: 'win32', ...user })).toBe(
      'D:\\ProgramData\\Outpost Agent',
    );
    expect(agentHome({ OUTPOST_AGENT_HOME: '/srv/agent' }, { platform: 'linux', ...user })).toBe(
      '/srv/agent',
    );
  });

  it('reads only its own variables, ignoring blanks', () => {
    expect(readEnvironment({ OUTPOST_URL: ' https://x ', OUTPOST_AGENT_TOKEN: '', PATH: '/bin' })).toEqual({
      OUTPOST_URL: 'https://x',
    });
  });

  it('turns the Outpost address into the agent WebSocket URL', () => {
    expect(connectUrl('https://outpost.example.com')).toBe('wss://outpost.example.com/v1/agent/connect');
    expect(connectUrl('http://localhost:4000/')).toBe('ws://localhost:4000/v1/agent/connect');
    expect(connectUrl('https://u:p@example.com/base/?x=1')).toBe('wss://example.com/base/v1/agent/connect');
    expect(() => connectUrl('ftp://example.com')).toThrow(ConfigError);
    expect(() => connectUrl('example.com')).toThrow(ConfigError);
  });

  it('fetches from the same origin and base path as the socket', () => {
    const bundle = '/v1/agent/bundle';
    expect(hubHttpUrl('https://outpost.example.com', bundle)).toBe(
      'https://outpost.example.com/v1/agent/bundle',
    );
    expect(hubHttpUrl('http://localhost:4000/base/', bundle)).toBe(
      'http://localhost:4000/base/v1/agent/bundle',
    );
    expect(hubHttpUrl('wss://u:p@example.com:8443/?x=1', bundle)).toBe(
      'https://example.com:8443/v1/agent/bundle',
    );
  });

  it('upgrades itself unless a config file says autoUpgrade: false; knows its service manager', () => {
    const load = (env = {}) => loadConfig({ env: { OUTPOST_AGENT_HOME: home, ...env }, bundleDir: bundle });
    expect(load().autoUpgrade).toBe(true);
    expect(load().service).toBeUndefined();
    write(path.join(bundle, 'outpost-agent.json'), { autoUpgrade: false });
    expect(load().autoUpgrade).toBe(false);
    write(path.join(home, 'outpost-agent.json'), { autoUpgrade: true });
    expect(load().autoUpgrade).toBe(true);
    expect(load({ OUTPOST_AGENT_SERVICE: 'systemd' }).service).toBe('systemd');
  });

  it('shows no more of a token than its last four characters', () => {
    expect(maskToken('opa_abcdefghijklmnopqrstuvwxyz0123456789')).toBe('••••6789');
  });
});
