import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The tests run the built worker (dist/sandbox-worker.cjs), as the API does: build it first.
    globalSetup: ['./test/build-worker.ts'],
    testTimeout: 30_000,
  },
});
