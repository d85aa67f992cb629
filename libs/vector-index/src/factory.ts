import type { VertexResources, VertexTuning } from './adapters/vertex/options.ts';
import type { VectorIndex } from './types.ts';

/**
 * The Vertex resource names `VECTOR_INDEX=local` uses when VERTEX_* are unset. The local server holds
 * indexes by id and serves the endpoint from the one index it holds, so any names work; these are
 * what its logs and data directory show.
 */
export const LOCAL_VERTEX_RESOURCES: VertexResources = {
  project: 'mobius-local',
  region: 'local',
  indexId: 'mobius-rag',
  indexEndpointId: 'mobius-rag-endpoint',
  deployedIndexId: 'mobius_rag_deployed',
};

/**
 * Which adapter `createVectorIndex` builds (`VECTOR_INDEX`):
 * - `memory`: the in-process exact index (`mobius dev`, unit tests);
 * - `vertex`: Vertex AI Vector Search at `https://{region}-aiplatform.googleapis.com` (or `apiEndpoint`,
 *   a host or URL: VERTEX_API_ENDPOINT) with Application Default Credentials;
 * - `local`: the same Vertex adapter on the local vector index server at `url` (VECTOR_INDEX_URL), sending
 *   `serviceToken` (MOBIUS_SERVICE_TOKEN) as a bearer when given; resources default to LOCAL_VERTEX_RESOURCES.
 */
export type VectorIndexOptions =
  | { kind: 'memory'; dimensions: number }
  | { kind: 'vertex'; dimensions: number; resources: VertexResources; apiEndpoint?: string; tuning?: Partial<VertexTuning> }
  | { kind: 'local'; dimensions: number; url: string; serviceToken?: string; resources?: Partial<VertexResources>; tuning?: Partial<VertexTuning> };

/** Builds the selected adapter, loading its module on demand (a cloud client is loaded only when used). */
export async function createVectorIndex(options: VectorIndexOptions): Promise<VectorIndex> {
  switch (options.kind) {
    case 'memory': {
      const { MemoryVectorIndex } = await import('./adapters/memory.ts');
      return new MemoryVectorIndex({ dimensions: options.dimensions });
    }
    case 'vertex': {
      const [{ VertexVectorIndex }, { parseApiEndpoint, regionalEndpoint }] = await Promise.all([
        import('./adapters/vertex.ts'),
        import('./adapters/vertex/endpoint.ts'),
      ]);
      const endpoint = options.apiEndpoint ? parseApiEndpoint(options.apiEndpoint) : regionalEndpoint(options.resources.region);
      return new VertexVectorIndex({ ...options, endpoint, credentials: 'adc', localServer: false });
    }
    case 'local': {
      const [{ VertexVectorIndex }, { parseApiEndpoint }] = await Promise.all([
        import('./adapters/vertex.ts'),
        import('./adapters/vertex/endpoint.ts'),
      ]);
      const resources = { ...LOCAL_VERTEX_RESOURCES, ...definedOnly(options.resources ?? {}) };
      const endpoint = parseApiEndpoint(options.url);
      const credentials = options.serviceToken ? { serviceToken: options.serviceToken } : 'none';
      return new VertexVectorIndex({ ...options, resources, endpoint, credentials, localServer: true });
    }
  }
}

/** `partial` without its undefined entries, so they do not override defaults. */
function definedOnly<T extends object>(partial: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
