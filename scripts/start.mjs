// `npm start` / `pnpm start`: installs and builds when needed, then runs the API (on its embedded
// PostgreSQL unless DATABASE_URL is set) and the web app, and says where to open it.
import path from 'node:path';
import { build, ensureInstalled, root, startService } from './workspace.mjs';

process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.TURBO_TELEMETRY_DISABLED = '1';

ensureInstalled();
build();

const apiPort = process.env.PORT ?? '4000';
const webPort = process.env.OUTPOST_WEB_PORT ?? '3000';
const apiUrl = `http://127.0.0.1:${apiPort}`;

const api = startService('api', process.execPath, ['--enable-source-maps', 'dist/server.js'], {
  cwd: path.join(root, 'apps/api'),
  env: { PORT: apiPort, OUTPOST_DATA_DIR: process.env.OUTPOST_DATA_DIR || path.join(root, 'data') },
});
const web = startService(
  'web',
  process.execPath,
  ['node_modules/next/dist/bin/next', 'start', '-p', webPort],
  {
    cwd: path.join(root, 'apps/web'),
    env: { OUTPOST_API_URL: process.env.OUTPOST_API_URL ?? apiUrl },
  },
);

const children = [api, web];
let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
for (const child of children) {
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(
        `\n✖ ${child === api ? 'The API' : 'The web app'} stopped (exit code ${code}); stopping Outpost.`,
      );
      stop('SIGTERM');
      process.exitCode = code || 1;
    }
  });
}

waitForReady().then(
  () =>
    console.log(
      `\n✔ Outpost is running: open http://localhost:${webPort}  (API ${apiUrl}, docs ${apiUrl}/docs; Ctrl-C stops it)\n`,
    ),
  () => undefined,
);

async function waitForReady() {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && !stopping) {
    const ready = await Promise.all([ok(`${apiUrl}/readyz`), ok(`http://127.0.0.1:${webPort}/sign-in`)]);
    if (ready.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('not ready');
}

async function ok(url) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
