import { EmbedderError } from './errors.ts';
import { createLocalEmbedder } from './local.ts';
import type { Embedder, EmbedderOptions } from './types.ts';

export { EmbedderError } from './errors.ts';
export { LOCAL_EMBEDDER_MODEL, createLocalEmbedder } from './local.ts';
export type { Embedder, EmbedderOptions, EmbedderProvider } from './types.ts';

/** Builds the embedder `options.provider` names (only `local` exists so far; Vertex comes later). */
export function createEmbedder(options: EmbedderOptions): Embedder {
  if (options.provider === 'local') return createLocalEmbedder(options.dimensions);
  throw new EmbedderError('EMBEDDER_INVALID_CONFIG', `unknown embedding provider: ${String(options.provider)}`, false);
}
