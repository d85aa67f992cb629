import { EMBEDDING_PROBLEM_CODES, embeddingProblem, type EmbeddingProblemCode, type PublishedRow } from '@mobius/contracts';
import { InvalidArgumentError, InvalidDatapointError, VECTOR_INDEX_ERROR_CODES as CODES, type VectorIndexErrorCode } from './errors.ts';
import { RESTRICT_NAMESPACES, type Datapoint, type NeighborQuery } from './types.ts';

/** The contract's embedding length (docs/contracts.md, "The vector index"): gemini-embedding-001, 1536 dimensions. */
export const DEFAULT_DIMENSIONS = 1536;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The vector index's error code for each problem of the shared embedding check. */
const PROBLEM_CODES: Record<EmbeddingProblemCode, VectorIndexErrorCode> = {
  [EMBEDDING_PROBLEM_CODES.missing]: CODES.embeddingMissing,
  [EMBEDDING_PROBLEM_CODES.dimension]: CODES.embeddingDimension,
  [EMBEDDING_PROBLEM_CODES.notFinite]: CODES.embeddingNotFinite,
};

/**
 * Throws InvalidDatapointError unless `vector` is an array of exactly `dimensions` finite numbers
 * (the shared check, `embeddingProblem` of @mobius/contracts, so the reasons are the ones the
 * warehouse and the reconciler give). Every adapter checks this before it writes anything, so one bad
 * datapoint fails its whole call; vertex-sync checks rows first and skips the bad ones.
 */
export function validateFeatureVector(datapointId: string, vector: unknown, dimensions: number): asserts vector is number[] {
  const problem = embeddingProblem(vector, dimensions);
  if (problem) throw new InvalidDatapointError(PROBLEM_CODES[problem.code], datapointId, problem.reason);
}

/** Throws InvalidDatapointError unless the id is a lowercase hyphenated uuid, as Vertex datapoint ids are here. */
export function validateDatapointId(datapointId: unknown): asserts datapointId is string {
  if (typeof datapointId !== 'string' || !UUID.test(datapointId)) {
    throw new InvalidDatapointError(CODES.datapointInvalid, String(datapointId), 'datapoint id must be a lowercase hyphenated uuid');
  }
}

/**
 * Throws InvalidDatapointError unless `datapoint` can be indexed as it is: a uuid id, a finite vector of
 * `dimensions` numbers, restricts that are namespaces with string allow lists, a string crowding tag.
 * Every adapter checks a whole call's datapoints with this before it writes any of them.
 */
export function validateDatapoint(datapoint: Datapoint, dimensions: number): void {
  validateDatapointId(datapoint.datapointId);
  validateFeatureVector(datapoint.datapointId, datapoint.featureVector, dimensions);
  const restrictsValid =
    Array.isArray(datapoint.restricts) &&
    datapoint.restricts.every(
      (r) => typeof r.namespace === 'string' && Array.isArray(r.allowList) && r.allowList.every((t) => typeof t === 'string'),
    );
  if (!restrictsValid) {
    throw new InvalidDatapointError(CODES.datapointInvalid, datapoint.datapointId, 'restricts must be namespaces with string allow lists');
  }
  if (typeof datapoint.crowdingTag?.crowdingAttribute !== 'string') {
    throw new InvalidDatapointError(CODES.datapointInvalid, datapoint.datapointId, 'crowdingTag.crowdingAttribute must be a string');
  }
}

/**
 * Throws InvalidArgumentError unless `query` is well formed for an index of `dimensions`: a finite
 * vector of that length, a non-negative integer neighbour count and crowding limit, string allow lists.
 */
export function validateNeighborQuery(query: NeighborQuery, dimensions: number): void {
  if (!Array.isArray(query.featureVector) || query.featureVector.length !== dimensions) {
    throw new InvalidArgumentError(`query vector must have ${dimensions} dimensions`);
  }
  if (!query.featureVector.every((value) => typeof value === 'number' && Number.isFinite(value))) {
    throw new InvalidArgumentError('query vector must hold only finite numbers');
  }
  if (!Number.isSafeInteger(query.neighborCount) || query.neighborCount < 0) {
    throw new InvalidArgumentError(`neighborCount must be a non-negative integer, got ${query.neighborCount}`);
  }
  const crowding = query.perCrowdingAttributeNeighborCount;
  if (crowding !== undefined && (!Number.isSafeInteger(crowding) || crowding < 0)) {
    throw new InvalidArgumentError(`perCrowdingAttributeNeighborCount must be a non-negative integer, got ${crowding}`);
  }
  const restrictsValid = (query.restricts ?? []).every(
    (r) => typeof r.namespace === 'string' && Array.isArray(r.allowList) && r.allowList.every((t) => typeof t === 'string'),
  );
  if (!restrictsValid) throw new InvalidArgumentError('query restricts must be namespaces with string allow lists');
}

/**
 * The datapoint of a published row, exactly as docs/contracts.md, "The vector index" defines it: id = the row id
 * (lowercase), feature vector = the embedding, one allow token per namespace in RESTRICT_NAMESPACES
 * order ('' when the value is empty), crowding tag = the document id (lowercase), no numeric restricts.
 * Throws InvalidDatapointError (not retryable, with a code) for a missing, non-finite or wrong-length
 * embedding or an id that is not a uuid.
 */
export function toDatapoint(row: PublishedRow, options: { dimensions?: number } = {}): Datapoint {
  const datapointId = String(row.id).toLowerCase();
  validateDatapointId(datapointId);
  validateFeatureVector(datapointId, row.embedding, options.dimensions ?? DEFAULT_DIMENSIONS);
  return {
    datapointId,
    featureVector: [...row.embedding],
    restricts: RESTRICT_NAMESPACES.map((namespace) => ({ namespace, allowList: [row[namespace] ?? ''] })),
    crowdingTag: { crowdingAttribute: String(row.document_id).toLowerCase() },
  };
}

/**
 * Chat's relevance score of a neighbour: `1 - distance / 2` (docs/contracts.md, "The vector index"). With cosine
 * distance in [0, 2] (0 = same direction, 2 = opposite) the score is in [0, 1].
 */
export function scoreFromDistance(distance: number): number {
  return 1 - distance / 2;
}
