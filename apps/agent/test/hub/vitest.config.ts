import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The agent against the real hub (apps/api), on an embedded PostgreSQL database of its own.
export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    globalSetup: [path.resolve(import.meta.dirname, '../../../../packages/db/src/testing-setup.ts')],
    include: ['test/hub/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
