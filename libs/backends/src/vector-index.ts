import { ConfigError, type PipelineConfig } from '@mobius/config';
import type { VectorIndex, VertexResources } from '@mobius/vector-index';

/**
 * The vector index the environment selects:
 * - `VECTOR_INDEX=memory`: the in-process index;
 * - `VECTOR_INDEX=vertex`: Vertex AI Vector Search (VERTEX_PROJECT, VERTEX_REGION, VERTEX_INDEX_ID,
 *   VERTEX_INDEX_ENDPOINT_ID, VERTEX_DEPLOYED_INDEX_ID; VERTEX_API_ENDPOINT overrides the regional
 *   endpoint) with Application Default Credentials;
 * - `VECTOR_INDEX=local`: the same Vertex adapter on the local server at VECTOR_INDEX_URL, with the
 *   service token MOBIUS_SERVICE_TOKEN; VERTEX_* are optional there (the local server's default names fill the gaps).
 * @mobius/vector-index is imported after the configuration is checked, so a missing variable fails
 * first and a service without an index never loads it.
 */
export async function createServiceVectorIndex(service: string, pipeline: PipelineConfig): Promise<VectorIndex> {
  const env = pipeline.env;
  const dimensions = env.EMBEDDING_DIMENSIONS;
  const resources: Partial<VertexResources> = {
    project: env.VERTEX_PROJECT,
    region: env.VERTEX_REGION,
    indexId: env.VERTEX_INDEX_ID,
    indexEndpointId: env.VERTEX_INDEX_ENDPOINT_ID,
    deployedIndexId: env.VERTEX_DEPLOYED_INDEX_ID,
  };
  switch (env.VECTOR_INDEX) {
    case 'memory': {
      const { createVectorIndex } = await import('@mobius/vector-index');
      return createVectorIndex({ kind: 'memory', dimensions });
    }
    case 'local': {
      if (!env.VECTOR_INDEX_URL) throw new ConfigError(service, 'VECTOR_INDEX_URL', 'is required when VECTOR_INDEX=local');
      const { createVectorIndex } = await import('@mobius/vector-index');
      const serviceToken = env.MOBIUS_SERVICE_TOKEN;
      return createVectorIndex({ kind: 'local', dimensions, url: env.VECTOR_INDEX_URL, resources, ...(serviceToken ? { serviceToken } : {}) });
    }
    case 'vertex': {
      const complete = requireAll(service, resources);
      const apiEndpoint = env.VERTEX_API_ENDPOINT;
      const { createVectorIndex } = await import('@mobius/vector-index');
      return createVectorIndex({ kind: 'vertex', dimensions, resources: complete, ...(apiEndpoint ? { apiEndpoint } : {}) });
    }
  }
}

const VARIABLES: Record<keyof VertexResources, string> = {
  project: 'VERTEX_PROJECT',
  region: 'VERTEX_REGION',
  indexId: 'VERTEX_INDEX_ID',
  indexEndpointId: 'VERTEX_INDEX_ENDPOINT_ID',
  deployedIndexId: 'VERTEX_DEPLOYED_INDEX_ID',
};

function requireAll(service: string, resources: Partial<VertexResources>): VertexResources {
  for (const [key, variable] of Object.entries(VARIABLES) as [keyof VertexResources, string][]) {
    if (!resources[key]) throw new ConfigError(service, variable, 'is required when VECTOR_INDEX=vertex');
  }
  return resources as VertexResources;
}
