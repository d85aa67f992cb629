import { defineConfig } from 'vitest/config';

// Unit tests live beside the code (*.test.ts); integration tests in test/. Every test file gets its
// own databases (test/support/databases.ts) and TOPIC_PREFIX, so files run in parallel: two at a time
// even on 2 cores (vitest's default there is one), since most of a file's time is spent waiting on
// Postgres, NATS or a child process (docs/testing.md has the figures).
export default defineConfig({
  test: {
    include: ['libs/**/*.test.ts', 'services/**/*.test.ts', 'test/**/*.test.ts'],
    // One migrated template database per module, made once per run: test files clone them (test/support/databases.ts).
    globalSetup: ['test/support/global-setup.ts'],
    exclude: ['**/node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
