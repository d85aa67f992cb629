import { defineConfig } from 'vitest/config';

// `npm run security`: the security suite (test/security/*.probe.ts, every probe on every route).
// Its smoke, test/security-smoke.test.ts, runs with `npm test`.
export default defineConfig({
  test: {
    include: ['test/security/**/*.probe.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
