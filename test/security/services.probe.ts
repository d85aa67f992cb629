// `npm run security`: every probe of test/security/support/probes.ts on every route of rag, chat, the
// local vector index server, vertex-sync, the console and the user service (docs/security.md). The smoke in `npm test` is test/security-smoke.test.ts.
import { describe } from 'vitest';
import { securitySuite } from './support/suite.ts';

describe('security suite (every probe)', () => securitySuite(true));
