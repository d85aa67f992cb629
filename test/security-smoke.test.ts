// The security suite's smoke (`npm run security` runs every probe): each guarded route of rag, chat and
// the local vector index server refuses a missing, a forged and an "exp: 1e308" credential with 401;
// every route answers oversized, malformed, NUL and lone-surrogate input with a 4xx naming the field;
// none answers 500 (test/security/support).
import { describe } from 'vitest';
import { securitySuite } from './security/support/suite.ts';

describe('security suite (smoke)', () => securitySuite(false));
