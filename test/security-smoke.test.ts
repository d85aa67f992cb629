// The security suite's smoke (`npm run security` runs every probe): each guarded route of rag, chat, the
// local vector index server, vertex-sync and the console refuses a missing, a forged and an "exp: 1e308"
// credential with 401 (the console's page: 303 to sign in; the user service: 401, or 403 for the
// directory's writers, as FastAPI's {detail});
// every route answers oversized, malformed, NUL and lone-surrogate input with a 4xx naming the field;
// none answers 500 (test/security/support).
import { describe } from 'vitest';
import { securitySuite } from './security/support/suite.ts';

describe('security suite (smoke)', () => securitySuite(false));
