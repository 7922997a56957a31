// vitest globalSetup: builds dist/sandbox-worker.cjs from the current source before the tests run.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildWorker(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], {
    stdio: 'inherit',
  });
}
