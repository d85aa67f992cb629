export { DEFAULT_DIMENSIONS, scoreFromDistance, toDatapoint, validateFeatureVector } from './datapoint.ts';
export {
  InvalidArgumentError,
  InvalidDatapointError,
  VECTOR_INDEX_ERROR_CODES,
  VectorIndexClosedError,
  VectorIndexError,
  type VectorIndexErrorCode,
} from './errors.ts';
export { createVectorIndex, type VectorIndexOptions } from './factory.ts';
export {
  RESTRICT_NAMESPACES,
  type Datapoint,
  type Neighbor,
  type NeighborQuery,
  type Restrict,
  type RestrictNamespace,
  type VectorIndex,
} from './types.ts';
