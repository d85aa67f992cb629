import { randomBytes } from 'node:crypto';

/**
 * The shared service token (MOBIUS_SERVICE_TOKEN) of this test run: pipelineEnvironment gives it to
 * every service process, so the guarded APIs (rag, vertex-sync's index views, the vector index server,
 * the console) run with real authentication in the end-to-end tests, and helpers send it.
 */
export const TEST_SERVICE_TOKEN = `test-${randomBytes(24).toString('hex')}`;

/** The header that carries it. */
export const SERVICE_AUTH_HEADER = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } as const;
