export {
  DEFAULT_DIMENSIONS,
  scoreFromDistance,
  toDatapoint,
  validateDatapoint,
  validateFeatureVector,
  validateNeighborQuery,
} from './datapoint.ts';
export { VERTEX_ADAPTER_DEFAULTS, type VertexResources, type VertexTuning } from './adapters/vertex/options.ts';
export {
  InvalidArgumentError,
  InvalidDatapointError,
  VECTOR_INDEX_ERROR_CODES,
  VectorIndexClosedError,
  VectorIndexError,
  VectorIndexRejectedError,
  VectorIndexUnavailableError,
  VectorIndexUnsupportedError,
  type VectorIndexErrorCode,
} from './errors.ts';
export { LOCAL_VERTEX_RESOURCES, createVectorIndex, type VectorIndexOptions } from './factory.ts';
export {
  RESTRICT_NAMESPACES,
  type Datapoint,
  type Neighbor,
  type NeighborQuery,
  type Restrict,
  type RestrictNamespace,
  type VectorIndex,
} from './types.ts';
