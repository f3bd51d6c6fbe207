import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Real proxies take 6-30 s to start on a loaded 2-core machine, and LiteLLM retries failed upstream calls.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // Integration tests start real LiteLLM proxies (about 1 GB of memory each): keep a few at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
