import type { PublishedRow } from '@mobius/contracts';
import { InvalidDatapointError, VECTOR_INDEX_ERROR_CODES as CODES } from './errors.ts';
import { RESTRICT_NAMESPACES, type Datapoint } from './types.ts';

/** The contract's embedding length (CONTRACTS.md section 4): gemini-embedding-001, 1536 dimensions. */
export const DEFAULT_DIMENSIONS = 1536;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Throws InvalidDatapointError unless `vector` is an array of exactly `dimensions` finite numbers.
 * Every adapter checks this before it writes anything, so one bad datapoint fails its whole call.
 */
export function validateFeatureVector(datapointId: string, vector: unknown, dimensions: number): asserts vector is number[] {
  if (!Array.isArray(vector)) {
    throw new InvalidDatapointError(CODES.embeddingMissing, datapointId, 'embedding is missing (must be an array of numbers)');
  }
  if (vector.length !== dimensions) {
    throw new InvalidDatapointError(
      CODES.embeddingDimension,
      datapointId,
      `embedding has ${vector.length} dimensions, the index has ${dimensions}`,
    );
  }
  const bad = vector.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
  if (bad >= 0) {
    throw new InvalidDatapointError(CODES.embeddingNotFinite, datapointId, `embedding[${bad}] is ${String(vector[bad])}, not a finite number`);
  }
}

/** Throws InvalidDatapointError unless the id is a lowercase hyphenated uuid, as Vertex datapoint ids are here. */
export function validateDatapointId(datapointId: unknown): asserts datapointId is string {
  if (typeof datapointId !== 'string' || !UUID.test(datapointId)) {
    throw new InvalidDatapointError(CODES.datapointInvalid, String(datapointId), 'datapoint id must be a lowercase hyphenated uuid');
  }
}

/**
 * The datapoint of a published row, exactly as CONTRACTS.md section 4 defines it: id = the row id
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
 * Chat's relevance score of a neighbour: `1 - distance / 2` (CONTRACTS.md section 4). With cosine
 * distance in [0, 2] (0 = same direction, 2 = opposite) the score is in [0, 1].
 */
export function scoreFromDistance(distance: number): number {
  return 1 - distance / 2;
}
