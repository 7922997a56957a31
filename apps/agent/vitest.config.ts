import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // test/hub runs the agent against the real hub on a database: `pnpm test:hub`, its own config.
    exclude: ['test/hub/**', '**/node_modules/**'],
    testTimeout: 30_000,
  },
});
