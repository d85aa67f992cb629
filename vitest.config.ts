import { defineConfig } from 'vitest/config';

// Unit tests live beside the code (*.test.ts); integration tests in test/. Every test file gets its
// own databases (test/support/databases.ts), so files run in parallel on the 2 cores.
export default defineConfig({
  test: {
    include: ['libs/**/*.test.ts', 'services/**/*.test.ts', 'test/**/*.test.ts'],
    // One migrated template database per module, made once per run: test files clone them (test/support/databases.ts).
    globalSetup: ['test/support/global-setup.ts'],
    exclude: ['**/node_modules/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
