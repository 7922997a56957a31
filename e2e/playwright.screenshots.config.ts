import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';

/** `pnpm --filter @outpost/e2e screenshots`: the README's pictures, with the suite's servers. */
export default defineConfig({ ...base, testDir: './screenshots' });
