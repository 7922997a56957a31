import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import type { Welcome } from '@outpost/protocol/agent/frames';
import { hubHttpUrl } from './config.ts';
import type { Logger } from './log.ts';
import { AGENT_VERSION } from './version.ts';

/** After a failed attempt, the next one waits this long, however often the hub announces it. */
export const RETRY_AFTER_FAILURE_MS = 60 * 60 * 1000;
/** Far above the bundle's size (about 1 MB); a download past it is cut off. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 5 * 60 * 1000;
const VERSION_CHECK_TIMEOUT_MS = 30_000;

export interface UpgraderOptions {
  /** The running bundle, `…/outpost-agent.cjs`: replaced in place. */
  bundlePath: string;
  /** Outpost's address as configured (https://…); the download goes to the same origin. */
  url: string;
  token: string;
  log: Logger;
  /** False when the local config says `autoUpgrade: false`. */
  allowedLocally: boolean;
  currentVersion?: string;
  now?: () => number;
}

/** A newer bundle in place of the running one: the agent restarts into it. */
export interface Upgraded {
  from: string;
  to: string;
}

class UpgradeFailure extends Error {
  override readonly name = 'UpgradeFailure';
}

/**
 * Auto-upgrade: when `welcome` announces a newer version that this agent may install, downloads it
 * from Outpost with the agent token, checks its SHA-256 against the announced one and that it runs
 * (`--version` prints that version), then swaps it in atomically, keeping the running bundle as
 * `<bundle>.previous`. Any failure leaves the running bundle untouched, says why, and waits an hour
 * before the next attempt.
 */
export class Upgrader {
  readonly #current: string;
  readonly #now: () => number;
  #failedAt: number | undefined;
  #busy = false;
  /** The last "is available" line, so that reconnects do not repeat it. */
  #announced = '';

  constructor(private readonly options: UpgraderOptions) {
    this.#current = options.currentVersion ?? AGENT_VERSION;
    this.#now = options.now ?? Date.now;
  }

  get previousPath(): string {
    return `${this.options.bundlePath}.previous`;
  }

  /** Resolves with what was installed when the agent should restart now, else null. */
  async consider(welcome: Welcome): Promise<Upgraded | null> {
    const { log } = this.options;
    const to = welcome.latestVersion;
    if (!isNewer(to, this.#current) || this.#busy) return null;
    const available = `agent ${to} is available (this is ${this.#current})`;
    const holdBack = !welcome.autoUpgrade
      ? 'auto-upgrade is off for this agent in Outpost'
      : !this.options.allowedLocally
        ? 'auto-upgrade is off in the local config (autoUpgrade: false)'
        : welcome.upgrade?.version !== to
          ? 'this Outpost offers no download of it'
          : undefined;
    if (holdBack) {
      this.#announce(`${available}; ${holdBack}`);
      return null;
    }
    if (this.#failedAt !== undefined && this.#now() - this.#failedAt < RETRY_AFTER_FAILURE_MS) {
      const next = new Date(this.#failedAt + RETRY_AFTER_FAILURE_MS).toISOString();
      this.#announce(`${available}; the last attempt failed, the next one is not before ${next}`);
      return null;
    }
    const offer = welcome.upgrade;
    if (!offer) return null;
    this.#busy = true;
    try {
      log.info(`upgrading from ${this.#current} to ${to}`);
      await this.#install(to, offer.sha256, hubHttpUrl(this.options.url, offer.path));
      return { from: this.#current, to };
    } catch (error) {
      this.#failed(to, error instanceof UpgradeFailure ? error.message : describe(error));
      return null;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * The new bundle did not take over (it exited, or never took the lock): puts the previous one
   * back, so that the next start runs what ran before.
   */
  async rollBack(upgraded: Upgraded, why: string): Promise<void> {
    const { bundlePath } = this.options;
    const restoring = temporaryPath(bundlePath, `${upgraded.from}-restore`);
    try {
      await copyFile(this.previousPath, restoring);
      await rename(restoring, bundlePath);
    } catch (error) {
      await rm(restoring, { force: true });
      this.options.log.error(
        `could not put ${this.previousPath} back in place of ${bundlePath}: ${describe(error)}`,
      );
    }
    this.#failed(upgraded.to, why);
  }

  #failed(to: string, why: string): void {
    this.#failedAt = this.#now();
    this.options.log.warn(`auto-upgrade to ${to} failed: ${why}; staying on ${this.#current}`);
  }

  #announce(line: string): void {
    if (line === this.#announced) return;
    this.#announced = line;
    this.options.log.info(line);
  }

  async #install(version: string, sha256: string, url: string): Promise<void> {
    const { bundlePath } = this.options;
    // Beside the running bundle (same file system: the rename is atomic), ending in .cjs so that
    // node runs it as CommonJS wherever it is.
    const download = temporaryPath(bundlePath, version);
    try {
      const received = await this.#download(url, download);
      if (received !== sha256) throw new UpgradeFailure('digest mismatch');
      await chmod(download, (await stat(bundlePath)).mode & 0o777);
      const printed = await versionOf(download);
      if (printed !== version)
        throw new UpgradeFailure(`the new bundle says it is ${JSON.stringify(printed)}, not ${version}`);
      const previous = temporaryPath(bundlePath, `${this.#current}-previous`);
      await copyFile(bundlePath, previous);
      await rename(previous, this.previousPath);
      await rename(download, bundlePath);
    } finally {
      await rm(download, { force: true });
    }
  }

  /** Streams the bundle to `file`; resolves with its SHA-256. */
  async #download(url: string, file: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'user-agent': `outpost-agent/${this.#current}`,
        },
        // The token goes to Outpost's own address and nowhere else.
        redirect: 'error',
        signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      throw new UpgradeFailure(`download failed (${describe(error)})`);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new UpgradeFailure(`download failed (HTTP ${response.status})`);
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > MAX_BUNDLE_BYTES)
          return done(new UpgradeFailure(`download larger than ${MAX_BUNDLE_BYTES} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(response.body as ReadableStream<Uint8Array>),
        measure,
        createWriteStream(file, { mode: 0o600 }),
      );
    } catch (error) {
      if (error instanceof UpgradeFailure) throw error;
      throw new UpgradeFailure(`download failed (${describe(error)})`);
    }
    return hash.digest('hex');
  }
}

/** What `node <bundle> --version` prints; a bundle that does not run is a failure. */
function versionOf(bundle: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bundle, '--version'],
      { cwd: path.dirname(bundle), timeout: VERSION_CHECK_TIMEOUT_MS, maxBuffer: 64 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout.trim());
        // Node prints where it failed first and the error itself a few lines below.
        const stderrLines = stderr.trim().split('\n');
        const detail =
          stderrLines.find((line) => /^\w*(Error|Exception)\b/.test(line)) ??
          (stderrLines[0] || error.message);
        reject(new UpgradeFailure(`the new bundle does not run (${detail.slice(0, 200)})`));
      },
    );
  });
}

function temporaryPath(bundlePath: string, label: string): string {
  return path.join(path.dirname(bundlePath), `.outpost-agent-${label}-${process.pid}.cjs`);
}

/** Plain `major.minor.patch` comparison; anything else never counts as newer. */
export function isNewer(candidate: string, current: string): boolean {
  const parse = (version: string) => /^(\d+)\.(\d+)\.(\d+)$/.exec(version)?.slice(1).map(Number);
  const a = parse(candidate);
  const b = parse(current);
  if (!a || !b) return false;
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return false;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
