// Bundles the agent into one file, dist/outpost-agent.cjs, that runs with plain `node` (≥ 20) and
// no node_modules: this is what the Install → Download archives carry.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(await readFile(`${root}/package.json`, 'utf8'));
const watch = process.argv.includes('--watch');

const options = {
  entryPoints: [`${root}/src/main.ts`],
  outfile: `${root}/dist/outpost-agent.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: false,
  legalComments: 'eof',
  // ws uses these native speed-ups when present and works without them.
  external: ['bufferutil', 'utf-8-validate'],
  define: { __AGENT_VERSION__: JSON.stringify(version) },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'info',
};
if (watch) await (await esbuild.context(options)).watch();
else await esbuild.build(options);
