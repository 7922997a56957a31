// Builds the sandbox worker to one self-contained file, dist/sandbox-worker.cjs: QuickJS and its
// WebAssembly (embedded as base64 by the singlefile variant) included, nothing left to resolve at
// run time. The host loads it from beside itself (the API's bundle, which copies it there) or from
// this package's dist (running from source, as in tests).
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

await esbuild.build({
  entryPoints: [`${root}src/worker/main.ts`],
  outfile: `${root}dist/sandbox-worker.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});
