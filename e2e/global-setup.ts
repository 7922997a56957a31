import { buildProduct, startProduct } from './servers.ts';

/**
 * Builds (unless turbo already did, as a dependency of this package's `test`) and starts the
 * product once for the whole run; the function it returns is Playwright's teardown.
 */
export default async function globalSetup() {
  const builtByTurbo = process.env.TURBO_HASH !== undefined;
  if (!builtByTurbo && process.env.OUTPOST_E2E_BUILD !== '0') buildProduct();
  const product = await startProduct();
  return product.stop;
}
