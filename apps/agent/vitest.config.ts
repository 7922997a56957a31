import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'agent',
          // test/bundle.test.ts rebuilds dist/; the hub tests run that bundle, so they come after.
          sequence: { groupOrder: 0 },
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/hub/**', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        // The built agent against the real hub (apps/api) on a test database of its own.
        test: {
          name: 'hub',
          sequence: { groupOrder: 1 },
          include: ['test/hub/**/*.test.ts'],
          globalSetup: [path.resolve(import.meta.dirname, '../../packages/db/src/testing-setup.ts')],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
