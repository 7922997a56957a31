import { prepareTestDatabases } from './testing.ts';

/** vitest globalSetup: `globalSetup: ['@outpost/db/testing-setup']`. */
export default async function setup(): Promise<() => Promise<void>> {
  return prepareTestDatabases();
}
