/**
 * Whether a published row's embedding can be a vector in the index, and if not why: ONE check, so
 * the warehouse (which lands such a row with a NULL embedding), vertex-sync (which skips its
 * datapoint) and the reconciler (which reports it as `invalid`) give the same reasons.
 *
 * A row whose embedding is unusable still carries its metadata: it reaches Chat like any other row;
 * only its vector is left out (the batch job this platform replaces also skipped only the vector).
 */

/** Stable codes of an unusable embedding (metric labels and log fields use them). */
export const EMBEDDING_PROBLEM_CODES = {
  /** No embedding: null, absent, or not an array. */
  missing: 'EMBEDDING_MISSING',
  /** An array of another length than the index's dimensions (`EMBEDDING_DIMENSIONS`). */
  dimension: 'EMBEDDING_DIMENSION',
  /** An element that is not a number, NaN, an infinity, or a number a float32 (the index's type) cannot hold. */
  notFinite: 'EMBEDDING_NOT_FINITE',
} as const;

export type EmbeddingProblemCode = (typeof EMBEDDING_PROBLEM_CODES)[keyof typeof EMBEDDING_PROBLEM_CODES];

/** Why an embedding cannot be a vector: a stable code and a sentence naming what is wrong. */
export interface EmbeddingProblem {
  code: EmbeddingProblemCode;
  reason: string;
}

/**
 * Undefined when `embedding` is an array of exactly `dimensions` numbers that are finite as float32s;
 * otherwise the first problem found. Never throws, whatever `embedding` is.
 */
export function embeddingProblem(embedding: unknown, dimensions: number): EmbeddingProblem | undefined {
  if (!Array.isArray(embedding)) {
    return { code: EMBEDDING_PROBLEM_CODES.missing, reason: 'embedding is missing (must be an array of numbers)' };
  }
  if (embedding.length !== dimensions) {
    return {
      code: EMBEDDING_PROBLEM_CODES.dimension,
      reason: `embedding has ${embedding.length} dimensions, expected ${dimensions}`,
    };
  }
  for (let i = 0; i < embedding.length; i++) {
    const value: unknown = embedding[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
      return { code: EMBEDDING_PROBLEM_CODES.notFinite, reason: `embedding[${i}] is ${shown}, not a finite number` };
    }
    if (!Number.isFinite(Math.fround(value))) {
      return { code: EMBEDDING_PROBLEM_CODES.notFinite, reason: `embedding[${i}] is ${value}, beyond the range of a float32` };
    }
  }
  return undefined;
}
