export { buildApp, type VectorIndexServerDeps } from './app.ts';
export { VECTOR_INDEX_SERVER_DEFAULTS, loadVectorIndexServerConfig, vectorIndexServerEnvSchema, type VectorIndexServerConfig } from './config.ts';
export { createService, type VectorIndexServerShared } from './service.ts';
export { VectorIndexServerError } from './errors.ts';
export { IndexRegistry, type RegistryOptions } from './index/registry.ts';
export type { SearchTuning } from './index/collection.ts';
export type { HnswParameters } from './index/hnsw-graph.ts';
export { startVectorIndexServer, type EmbeddedServer, type EmbeddedServerOptions } from './embedded.ts';
