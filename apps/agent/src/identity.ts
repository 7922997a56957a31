import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Hello, PROTOCOL_VERSION } from '@outpost/protocol/agent/frames';
import { AGENT_VERSION } from './version.ts';

const MACHINE_ID_FILE = 'machine-id';

/** The OS names the hub and the Install column use. */
export function osName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  return platform;
}

/** A random id made on first start and kept in the agent home, so that it survives restarts. */
export function machineId(home: string): string {
  const file = path.join(home, MACHINE_ID_FILE);
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch {}
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  writeFileSync(file, `${id}\n`, { mode: 0o644 });
  return id;
}

export function hello(home: string): Hello {
  return {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    agent: {
      version: AGENT_VERSION,
      os: osName(),
      arch: process.arch,
      hostname: os.hostname().slice(0, 200),
      machineId: machineId(home),
      pid: process.pid,
      nodeVersion: process.version,
    },
  };
}
