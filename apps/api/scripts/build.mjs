// Bundles the API into dist/server.js. Workspace packages (@outpost/*) are bundled in; every other
// package stays an import resolved from node_modules at run time. The committed migrations are
// copied beside the bundle, which applies them at start-up, and so is the built agent, which
// Install → Download packs.
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const watch = process.argv.includes('--watch');

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@outpost/') ? undefined : { path: args.path, external: true },
    );
  },
};

await rm(`${root}/dist`, { recursive: true, force: true });
await cp(`${root}/../../packages/db/prisma/migrations`, `${root}/dist/migrations`, { recursive: true });
await cp(`${root}/../agent/dist`, `${root}/dist/agent`, { recursive: true });
const options = {
  entryPoints: [`${root}/src/server.ts`],
  outfile: `${root}/dist/server.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  plugins: [externalPackages],
  logLevel: 'info',
};
if (watch) await (await esbuild.context(options)).watch();
else await esbuild.build(options);
