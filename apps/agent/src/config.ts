import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseRule } from './policy.ts';

/**
 * The agent's configuration: one schema, read from (lowest priority first) the
 * `outpost-agent.json` beside the bundle (the download ships one holding the URL), the file in the
 * agent home (`token set` writes it, mode 0600), the environment, then flags. This is the only
 * module that reads `process.env`.
 */
export const CONFIG_FILE = 'outpost-agent.json';

const PolicyEntry = z.string().superRefine((entry, context) => {
  try {
    parseRule(entry);
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
  }
});

export const ConfigFile = z.strictObject({
  /** The Outpost web address, e.g. `https://outpost.example.com`. */
  url: z.string().optional(),
  token: z.string().optional(),
  policy: z
    .strictObject({
      allow: z.array(PolicyEntry).default([]),
      deny: z.array(PolicyEntry).default([]),
      allowCloudMetadata: z.boolean().default(false),
    })
    .optional(),
  logFormat: z.enum(['text', 'json']).optional(),
  /** `false`: never upgrade on its own, whatever Outpost says (default: as Outpost says). */
  autoUpgrade: z.boolean().optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

/** What the agent reads from its environment, and nothing else. */
export interface Environment {
  OUTPOST_URL?: string;
  OUTPOST_AGENT_TOKEN?: string;
  OUTPOST_AGENT_HOME?: string;
  /** Set by the service definitions `service install` writes: `systemd`, `launchd` or `windows`. */
  OUTPOST_AGENT_SERVICE?: string;
  XDG_CONFIG_HOME?: string;
  ProgramData?: string;
  SystemRoot?: string;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const pick = (name: keyof Environment) => {
    const value = env[name]?.trim();
    return value ? { [name]: value } : {};
  };
  return {
    ...pick('OUTPOST_URL'),
    ...pick('OUTPOST_AGENT_TOKEN'),
    ...pick('OUTPOST_AGENT_HOME'),
    ...pick('OUTPOST_AGENT_SERVICE'),
    ...pick('XDG_CONFIG_HOME'),
    ...pick('ProgramData'),
    ...pick('SystemRoot'),
  };
}

export interface Flags {
  url?: string;
  token?: string;
  config?: string;
  logFormat?: 'text' | 'json';
}

export type Source = 'flag' | 'environment' | 'config file' | 'bundled config';

export interface AgentConfig {
  /** Folder of the lock, the machine id and (unless `--config`) the config file. */
  home: string;
  /** The file `token set` writes. */
  configPath: string;
  url?: { value: string; source: Source };
  token?: { value: string; source: Source };
  policy: { allow: string[]; deny: string[]; allowCloudMetadata: boolean };
  logFormat: 'text' | 'json';
  /** False when a config file says `autoUpgrade: false`. */
  autoUpgrade: boolean;
  /** The service manager that runs this agent and restarts it when it exits, if any. */
  service?: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface Machine {
  platform: NodeJS.Platform;
  isRoot: boolean;
  homedir: string;
}

export const thisMachine: Machine = {
  platform: process.platform,
  isRoot: process.getuid?.() === 0,
  homedir: os.homedir(),
};

/** The OS's usual place for a machine-wide (Windows, Linux as root) or per-user agent home. */
export function agentHome(env: Environment, machine: Machine = thisMachine): string {
  if (env.OUTPOST_AGENT_HOME) return path.resolve(env.OUTPOST_AGENT_HOME);
  switch (machine.platform) {
    case 'win32':
      return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Outpost Agent');
    case 'darwin':
      return path.posix.join(machine.homedir, 'Library', 'Application Support', 'Outpost Agent');
    default:
      if (machine.isRoot) return '/etc/outpost-agent';
      return path.posix.join(
        env.XDG_CONFIG_HOME ?? path.posix.join(machine.homedir, '.config'),
        'outpost-agent',
      );
  }
}

/** The folder of the running bundle, where the download archive puts its `outpost-agent.json`. */
export function bundleDir(): string {
  return path.dirname(path.resolve(process.argv[1] ?? '.'));
}

export interface LoadOptions {
  flags?: Flags;
  env?: Environment;
  machine?: Machine;
  bundleDir?: string;
}

export function loadConfig(options: LoadOptions = {}): AgentConfig {
  const flags = options.flags ?? {};
  const env = options.env ?? readEnvironment();
  const home = agentHome(env, options.machine);
  const configPath = flags.config ? path.resolve(flags.config) : path.join(home, CONFIG_FILE);
  const bundled = path.join(options.bundleDir ?? bundleDir(), CONFIG_FILE);
  const bundledFile = bundled === configPath ? {} : readConfigFile(bundled);
  const file = readConfigFile(configPath);

  const layers: [Source, { url?: string; token?: string }][] = [
    ['flag', { url: flags.url, token: flags.token }],
    ['environment', { url: env.OUTPOST_URL, token: env.OUTPOST_AGENT_TOKEN }],
    ['config file', file],
    ['bundled config', bundledFile],
  ];
  const first = (key: 'url' | 'token') => {
    for (const [source, layer] of layers) {
      const value = layer[key]?.trim();
      if (value) return { value, source };
    }
    return undefined;
  };
  const url = first('url');
  const token = first('token');
  return {
    home,
    configPath,
    ...(url ? { url } : {}),
    ...(token ? { token } : {}),
    policy: file.policy ?? bundledFile.policy ?? { allow: [], deny: [], allowCloudMetadata: false },
    logFormat: flags.logFormat ?? file.logFormat ?? bundledFile.logFormat ?? 'text',
    autoUpgrade: file.autoUpgrade ?? bundledFile.autoUpgrade ?? true,
    ...(env.OUTPOST_AGENT_SERVICE ? { service: env.OUTPOST_AGENT_SERVICE } : {}),
  };
}

/** A missing file is an empty one; a malformed one is an error naming the file. */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return {};
    throw new ConfigError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${file} is not valid JSON`);
  }
  const parsed = ConfigFile.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(`${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Merges `changes` into the config file and writes it atomically (a temporary file renamed over
 * it), readable by its owner only: it holds the token.
 */
export function updateConfigFile(file: string, changes: Partial<ConfigFile>): void {
  const next = ConfigFile.parse({ ...readConfigFile(file), ...changes });
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  if (process.platform === 'win32') restrictToOwnerOnWindows(file);
}

/** Windows ignores the 0600 mode: an ACL for the owner, SYSTEM and Administrators does its job. */
function restrictToOwnerOnWindows(file: string): void {
  const grants = ['*S-1-5-18:F', '*S-1-5-32-544:F', `${os.userInfo().username}:F`];
  try {
    execFileSync('icacls', [file, '/inheritance:r', ...grants.flatMap((grant) => ['/grant:r', grant])], {
      stdio: 'ignore',
    });
  } catch {
    process.emitWarning(`could not restrict access to ${file} with icacls`);
  }
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

/** `https://outpost.example.com/base` → `wss://outpost.example.com/base/v1/agent/connect`. */
export function connectUrl(url: string): string {
  if (!URL.canParse(url))
    throw new ConfigError(`"${url}" is not a URL (expected e.g. https://outpost.example.com)`);
  const parsed = new URL(url);
  const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[parsed.protocol];
  if (!scheme) throw new ConfigError(`"${url}" must start with https:// or http://`);
  parsed.protocol = scheme;
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/v1/agent/connect`;
  parsed.search = '';
  parsed.hash = '';
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/**
 * An HTTP address on Outpost's origin, for what the agent fetches besides its socket (the bundle of
 * a newer version): `wss://outpost.example.com/base` + `/v1/agent/bundle` →
 * `https://outpost.example.com/base/v1/agent/bundle`.
 */
export function hubHttpUrl(url: string, pathname: string): string {
  const parsed = new URL(connectUrl(url));
  parsed.protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';
  parsed.pathname = `${parsed.pathname.replace(/\/v1\/agent\/connect$/, '')}${pathname}`;
  return parsed.href;
}

/** `••••abcd`: the most of a token ever shown. */
export function maskToken(token: string): string {
  return `••••${token.slice(-4)}`;
}
