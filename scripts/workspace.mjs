// Shared by `npm start` and `npm test`: find pnpm (or fetch the pinned one through npx), install
// the workspace when needed, and build it. Only Node's own modules are used here, because this
// runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).packageManager; // "pnpm@x.y.z"

/** The command that runs pnpm: the installed one when it is the pinned version, else npx. */
export function pnpmCommand() {
  const version = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (version.status === 0 && `pnpm@${version.stdout.trim()}` === pinned) return ['pnpm'];
  return ['npx', '--yes', pinned];
}

export function run(args, options = {}) {
  const [command, ...rest] = [...pnpmCommand(), ...args];
  const result = spawnSync(command, rest, {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
    ...options,
  });
  if (result.status !== 0) {
    console.error(`\n✖ ${[command, ...rest].join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

/** Installs the workspace when node_modules is missing or older than the lockfile. */
export function ensureInstalled() {
  const marker = path.join(root, 'node_modules', '.modules.yaml');
  const lock = path.join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('› Installing dependencies (first run only)…');
  run(['install', '--frozen-lockfile']);
}

/** Builds the workspace, or only `packages` (and what they depend on). */
export function build(packages = []) {
  console.log('› Building…');
  run([
    'exec',
    'turbo',
    'run',
    'build',
    '--output-logs=errors-only',
    ...packages.map((name) => `--filter=${name}...`),
  ]);
}

/** Starts a long-running child with its output prefixed; resolves when it exits. */
export function startService(name, command, args, { cwd = root, env = {} } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (stream, out) => {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) out.write(`${name} │ ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  return child;
}
