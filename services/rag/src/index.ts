/** mobius-rag's public surface, for `mobius start rag` / `mobius dev` and the tests. */
export { buildApp, type RagApp, type RagAppDeps } from './app.ts';
export { RAG_DEFAULTS, loadRagServiceConfig, ragServiceEnvSchema, type RagServiceConfig } from './config.ts';
export { createService, type RagShared } from './service.ts';
export { RAG_ERROR_CODES } from './errors.ts';
export { chunkMarkdown, splitPages, type Chunk, type ChunkedDocument, type Page } from './chunking/markdown.ts';
export { RELAY_DEFAULTS, encodeOutboxEvent, startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox/relay.ts';
export {
  OUTBOX_CHANNEL,
  countQuarantinedEvents,
  createRagRepository,
  listQuarantinedEvents,
  type QuarantinedEvent,
  type RagRepository,
} from './repository/index.ts';
