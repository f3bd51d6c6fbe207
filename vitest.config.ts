import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // Integration tests start real LiteLLM proxies (about 1 GB of memory each): keep a few at a time.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
