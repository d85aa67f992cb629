import { createLocalEmbedder } from './adapters/local.ts';
import { createVertexEmbedder, type VertexEmbedderOptions } from './adapters/vertex.ts';
import { EmbedderError } from './errors.ts';
import type { Embedder } from './types.ts';

export { EmbedderError } from './errors.ts';
export { LOCAL_EMBEDDER_MODEL, createLocalEmbedder } from './adapters/local.ts';
export type { Embedder } from './types.ts';
export { VERTEX_EMBEDDER_DEFAULTS, createVertexEmbedder, type VertexEmbedderOptions } from './adapters/vertex.ts';

/** Which adapter `createEmbedder` builds (`EMBEDDING_PROVIDER`). */
export type EmbedderProvider = 'local' | 'vertex';

/**
 * `local`: the deterministic feature-hashing embedder. `vertex`: gemini-embedding-001 on Vertex AI,
 * which also needs `vertex` (VERTEX_PROJECT, VERTEX_REGION, optionally VERTEX_API_ENDPOINT).
 */
export type EmbedderOptions =
  | { provider: 'local' /** Vector length; a positive integer. */; dimensions: number }
  | { provider: 'vertex'; dimensions: number; vertex: Omit<VertexEmbedderOptions, 'dimensions'> };

/** Builds the embedder `options.provider` names. */
export function createEmbedder(options: EmbedderOptions): Embedder {
  if (options.provider === 'local') return createLocalEmbedder(options.dimensions);
  if (options.provider === 'vertex') return createVertexEmbedder({ ...options.vertex, dimensions: options.dimensions });
  throw new EmbedderError('EMBEDDER_INVALID_CONFIG', `unknown embedding provider: ${String((options as { provider: unknown }).provider)}`, false);
}
