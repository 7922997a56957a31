// Where the built sandbox worker is: beside this code when it is bundled (the API's build copies
// dist/sandbox-worker.cjs next to dist/server.js), else in this package's dist (running from source).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WORKER_FILE_NAME = 'sandbox-worker.cjs';

let found: string | null = null;

export function sandboxWorkerFile(): string {
  if (found) return found;
  const candidates = [
    new URL(`./${WORKER_FILE_NAME}`, import.meta.url),
    new URL(`../dist/${WORKER_FILE_NAME}`, import.meta.url),
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) {
      found = path;
      return path;
    }
  }
  throw new Error(
    `The script sandbox worker (${WORKER_FILE_NAME}) is missing: run \`pnpm --filter @outpost/sandbox build\``,
  );
}
