import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isNotFound } from './config.ts';

export const LOCK_FILE = 'outpost-agent.lock';

export class LockHeldError extends Error {
  override readonly name = 'LockHeldError';

  constructor(readonly pid: number) {
    super(`another Outpost agent is already running (pid ${pid})`);
  }
}

export interface Lock {
  readonly file: string;
  release(): void;
}

/**
 * One agent per agent home: a lock file created exclusively and holding the pid. A lock left by a
 * process that is gone is taken over; one held by a live process is a `LockHeldError`.
 */
export function acquireLock(home: string, pid = process.pid): Lock {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx', mode: 0o644 });
      return { file, release: () => releaseLock(file, pid) };
    } catch (error) {
      if (!isAlreadyThere(error)) throw error;
    }
    const holder = lockHolder(home);
    if (holder !== null && holder !== pid && isAlive(holder)) throw new LockHeldError(holder);
    takeOverStale(file, holder);
  }
  throw new Error(`cannot take the lock ${file}`);
}

/** The pid in the lock file, or null when there is none (or it is unreadable). */
export function lockHolder(home: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path.join(home, LOCK_FILE), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The pid holding the lock if that process is still alive. */
export function runningAgent(home: string): number | null {
  const pid = lockHolder(home);
  return pid !== null && isAlive(pid) ? pid : null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

/**
 * Moves the stale lock aside (only one of two racing agents can), then checks that what was moved
 * is the stale lock and not one a racing agent has just created, which is put back.
 */
function takeOverStale(file: string, stalePid: number | null): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  let moved: number | null = null;
  try {
    moved = Number.parseInt(readFileSync(aside, 'utf8'), 10);
  } catch {}
  if (moved !== stalePid && moved !== null && Number.isInteger(moved) && isAlive(moved)) {
    try {
      linkSync(aside, file);
    } catch {}
  }
  rmSync(aside, { force: true });
}

function releaseLock(file: string, pid: number): void {
  try {
    if (Number.parseInt(readFileSync(file, 'utf8'), 10) === pid) rmSync(file, { force: true });
  } catch {}
}

function isAlreadyThere(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST';
}
