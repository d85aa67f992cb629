/** mobius-chat's public surface, for `mobius start chat` / `mobius dev` and the tests. */
export { buildApp, type ChatApp, type ChatAppDeps } from './app.ts';
export { CHAT_DEFAULTS, chatServiceEnvSchema, loadChatServiceConfig, type ChatServiceConfig } from './config.ts';
export { createService, type ChatShared } from './service.ts';
export { CHAT_ERROR_CODES } from './errors.ts';
export { SEARCH_LIMITS, parseSearchRequest } from './search/request.ts';
export { createPublishedChunkReader } from './search/repository.ts';
export { restrictsOf, searchPublished, type SearchDeps } from './search/search.ts';
export type { PublishedChunk, PublishedChunkReader, SearchFilters, SearchRequest, SearchResult } from './search/types.ts';
