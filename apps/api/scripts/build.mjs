// Bundles the API into dist/server.js. Workspace packages (@outpost/*) are bundled in; every other
// package stays an import resolved from node_modules at run time. The committed migrations are
// copied beside the bundle, which applies them at start-up, and so is the built agent, which
// Install → Download packs, and the script sandbox's worker (one self-contained file, run in a
// worker thread, which @outpost/sandbox looks for beside the code that loads it).
import { cp, rm } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const watch = process.argv.includes('--watch');

// Every package left external must be a dependency of the API itself, or the bundle would fail at
// run time (pnpm gives each package only its own dependencies): the build names any that is not.
const requireFromApi = createRequire(`${root}package.json`);
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@outpost/')) return undefined;
      const name = args.path.startsWith('@')
        ? args.path.split('/').slice(0, 2).join('/')
        : args.path.split('/')[0];
      if (!isBuiltin(args.path) && !resolvesFromApi(name)) {
        return {
          errors: [
            {
              text: `"${name}" (imported by ${args.importer}) is not a dependency of apps/api: add it to apps/api/package.json`,
            },
          ],
        };
      }
      return { path: args.path, external: true };
    });
  },
};

function resolvesFromApi(name) {
  try {
    requireFromApi.resolve(`${name}/package.json`);
    return true;
  } catch (error) {
    // A package whose `exports` hides package.json is there all the same.
    return error.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
  }
}

await rm(`${root}/dist`, { recursive: true, force: true });
await cp(`${root}/../../packages/db/prisma/migrations`, `${root}/dist/migrations`, { recursive: true });
await cp(`${root}/../agent/dist`, `${root}/dist/agent`, { recursive: true });
await cp(`${root}/../../packages/sandbox/dist/sandbox-worker.cjs`, `${root}/dist/sandbox-worker.cjs`);
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
