import { ConfigError, type PipelineConfig } from '@mobius/config';
import { createVectorIndex, type VectorIndex } from '@mobius/vector-index';

/** The vector index the environment selects (VECTOR_INDEX, VECTOR_INDEX_URL, VERTEX_*). */
export async function createServiceVectorIndex(service: string, pipeline: PipelineConfig): Promise<VectorIndex> {
  const dimensions = pipeline.env.EMBEDDING_DIMENSIONS;
  switch (pipeline.env.VECTOR_INDEX) {
    case 'memory':
      return createVectorIndex({ kind: 'memory', dimensions });
    case 'local':
    case 'vertex':
      throw new ConfigError(service, 'VECTOR_INDEX', `${pipeline.env.VECTOR_INDEX} is not available yet (use memory)`);
  }
}
