import type { VectorIndexSettings } from '@mobius/config';
import type { VectorIndex } from '@mobius/vector-index';

/**
 * The vector index the settings select (loadPipelineConfig's `vectorIndex`, already checked): the
 * in-process index, Vertex AI Vector Search with Application Default Credentials, or the same Vertex
 * adapter on the local server (VECTOR_INDEX=local) with the service token. Maps, nothing more.
 * @mobius/vector-index is imported on the first call, so a service without an index never loads it.
 */
export async function createServiceVectorIndex(
  _service: string,
  pipeline: { vectorIndex: VectorIndexSettings; embeddingDimensions: number },
): Promise<VectorIndex> {
  const { vectorIndex: settings, embeddingDimensions: dimensions } = pipeline;
  const { createVectorIndex } = await import('@mobius/vector-index');
  switch (settings.kind) {
    case 'memory':
      return createVectorIndex({ kind: 'memory', dimensions });
    case 'local':
      return createVectorIndex({
        kind: 'local',
        dimensions,
        url: settings.url,
        resources: settings.resources,
        ...(settings.serviceToken ? { serviceToken: settings.serviceToken } : {}),
      });
    case 'vertex':
      return createVectorIndex({
        kind: 'vertex',
        dimensions,
        resources: settings.resources,
        ...(settings.apiEndpoint ? { apiEndpoint: settings.apiEndpoint } : {}),
      });
  }
}
