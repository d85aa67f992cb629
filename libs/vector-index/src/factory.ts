import type { VectorIndex } from './types.ts';

/**
 * Which adapter `createVectorIndex` builds (`VECTOR_INDEX`). `memory` is the in-process exact index.
 * The Vertex AI adapter (`vertex`, and `local` = the same adapter on VECTOR_INDEX_URL) joins later.
 */
export type VectorIndexOptions = { kind: 'memory'; dimensions: number };

/** Builds the selected adapter, loading its module on demand (a cloud client is loaded only when used). */
export async function createVectorIndex(options: VectorIndexOptions): Promise<VectorIndex> {
  switch (options.kind) {
    case 'memory': {
      const { MemoryVectorIndex } = await import('./adapters/memory.ts');
      return new MemoryVectorIndex({ dimensions: options.dimensions });
    }
  }
}
