import { EmbedderError } from './errors.ts';
import { createLocalEmbedder } from './local.ts';
import type { Embedder, EmbedderOptions } from './types.ts';
import { createVertexEmbedder } from './vertex.ts';

export { EmbedderError } from './errors.ts';
export { LOCAL_EMBEDDER_MODEL, createLocalEmbedder } from './local.ts';
export type { Embedder, EmbedderOptions, EmbedderProvider } from './types.ts';
export { VERTEX_EMBEDDER_DEFAULTS, createVertexEmbedder, type VertexEmbedderOptions } from './vertex.ts';

/** Builds the embedder `options.provider` names. */
export function createEmbedder(options: EmbedderOptions): Embedder {
  if (options.provider === 'local') return createLocalEmbedder(options.dimensions);
  if (options.provider === 'vertex') return createVertexEmbedder({ ...options.vertex, dimensions: options.dimensions });
  throw new EmbedderError('EMBEDDER_INVALID_CONFIG', `unknown embedding provider: ${String((options as { provider: unknown }).provider)}`, false);
}
