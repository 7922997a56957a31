// Bundles the agent into one file, dist/outpost-agent.cjs, that runs with plain `node` (≥ 20) and
// no node_modules, and copies the install files beside it. dist/manifest.json names the version
// and the bundle's SHA-256: the API builds the Install → Download archives from this folder.
// `--outdir DIR --version X.Y.Z` builds elsewhere under another version (the auto-upgrade tests).
import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: { watch: { type: 'boolean' }, outdir: { type: 'string' }, version: { type: 'string' } },
});
const version = args.version ?? JSON.parse(await readFile(`${root}/package.json`, 'utf8')).version;
const watch = args.watch === true;
const dist = path.resolve(args.outdir ?? `${root}/dist`);
const bundle = `${dist}/outpost-agent.cjs`;

const writeManifest = {
  name: 'manifest',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length) return;
      await cp(`${root}/install`, `${dist}/install`, { recursive: true });
      const sha256 = createHash('sha256')
        .update(await readFile(bundle))
        .digest('hex');
      await writeFile(
        `${dist}/manifest.json`,
        `${JSON.stringify({ version, bundle: 'outpost-agent.cjs', sha256 }, null, 2)}\n`,
      );
    });
  },
};

const options = {
  entryPoints: [`${root}/src/main.ts`],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'eof',
  // ws uses these native speed-ups when present and works without them.
  external: ['bufferutil', 'utf-8-validate'],
  define: { __AGENT_VERSION__: JSON.stringify(version) },
  banner: { js: '#!/usr/bin/env node' },
  plugins: [writeManifest],
  logLevel: args.outdir ? 'warning' : 'info',
};
if (watch) await (await esbuild.context(options)).watch();
else await esbuild.build(options);
