import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Decodes a configured key (64 hex characters or base64 of 32 bytes). */
export function decodeSecretKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('OUTPOST_SECRET_KEY must be 32 bytes: 64 hex characters or base64');
  return key;
}

/** The configured key, else the one generated on first start into `<dataDir>/secret.key` (0600). */
export async function loadSecretKey(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return decodeSecretKey(configured);
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return decodeSecretKey((await readFile(file, 'utf8')).trim());
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
