import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Engines open LevelDB folders in temp dirs; tests are independent and run in parallel files.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
