// Builds the sandbox worker to one self-contained file, dist/sandbox-worker.cjs: QuickJS and its
// WebAssembly (embedded as base64 by the singlefile variant) included, nothing left to resolve at
// run time. The host finds it beside itself (the API's bundle, which copies it there; dist/index.js)
// or in this package's dist (running from source, as in tests). dist/index.js is the host side as
// plain JavaScript, for the benchmark (bench/sandbox.mjs), which runs without a compiler.
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
};

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: [`${root}src/worker/main.ts`],
    outfile: `${root}dist/sandbox-worker.cjs`,
    format: 'cjs',
  }),
  esbuild.build({
    ...common,
    entryPoints: [`${root}src/index.ts`],
    outfile: `${root}dist/index.js`,
    format: 'esm',
  }),
]);
