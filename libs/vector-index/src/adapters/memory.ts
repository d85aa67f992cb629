import { validateDatapointId, validateFeatureVector } from '../datapoint.ts';
import { InvalidArgumentError, InvalidDatapointError, VECTOR_INDEX_ERROR_CODES as CODES, VectorIndexClosedError } from '../errors.ts';
import type { Datapoint, Neighbor, NeighborQuery, VectorIndex } from '../types.ts';

export interface MemoryVectorIndexOptions {
  /** Length of every feature vector (the index's dimension). */
  dimensions: number;
}

/**
 * The VectorIndex port in process: an exact (brute-force) cosine index for `mobius dev` and tests.
 *
 * Distance is Vertex's cosine distance, `1 - cos(a, b)`, in [0, 2]: 0 for the same direction, 1 for
 * orthogonal, 2 for opposite vectors; so chat's `score = 1 - distance / 2` is `(1 + cos) / 2` in [0, 1].
 * A zero vector has no direction; its cosine with anything is taken as 0 (distance 1).
 *
 * Restricts are allow lists: a datapoint matches a query when, for every namespace the query names,
 * one of the datapoint's tokens in that namespace is in the query's list (a datapoint without that
 * namespace, or a query list that is empty, matches nothing). Neighbours come nearest first, ties by id.
 *
 * Every call validates its whole input before changing anything, stores copies (callers may reuse
 * their arrays) and returns copies. Not shared between processes; state is lost on close.
 */
export class MemoryVectorIndex implements VectorIndex {
  private readonly datapoints = new Map<string, { datapoint: Datapoint; norm: number }>();
  private closed = false;

  constructor(private readonly options: MemoryVectorIndexOptions) {
    if (!Number.isSafeInteger(options.dimensions) || options.dimensions < 1) {
      throw new InvalidArgumentError(`dimensions must be a positive integer, got ${options.dimensions}`);
    }
  }

  async upsertDatapoints(datapoints: Datapoint[]): Promise<void> {
    this.checkOpen();
    for (const datapoint of datapoints) this.validate(datapoint);
    for (const datapoint of datapoints) {
      const copy = copyDatapoint(datapoint);
      this.datapoints.set(copy.datapointId, { datapoint: copy, norm: norm(copy.featureVector) });
    }
  }

  async removeDatapoints(datapointIds: string[]): Promise<void> {
    this.checkOpen();
    for (const id of datapointIds) this.datapoints.delete(id);
  }

  async findNeighbors(query: NeighborQuery): Promise<Neighbor[]> {
    this.checkOpen();
    if (!Array.isArray(query.featureVector) || query.featureVector.length !== this.options.dimensions) {
      throw new InvalidArgumentError(`query vector must have ${this.options.dimensions} dimensions`);
    }
    if (!query.featureVector.every((value) => Number.isFinite(value))) {
      throw new InvalidArgumentError('query vector must hold only finite numbers');
    }
    if (!Number.isSafeInteger(query.neighborCount) || query.neighborCount < 0) {
      throw new InvalidArgumentError(`neighborCount must be a non-negative integer, got ${query.neighborCount}`);
    }
    const queryNorm = norm(query.featureVector);
    const neighbors: Neighbor[] = [];
    for (const { datapoint, norm: pointNorm } of this.datapoints.values()) {
      if (!matchesRestricts(datapoint, query.restricts ?? [])) continue;
      const cosine = queryNorm === 0 || pointNorm === 0 ? 0 : dot(query.featureVector, datapoint.featureVector) / (queryNorm * pointNorm);
      // Rounding can push |cos| a hair past 1; the distance stays within [0, 2].
      neighbors.push({ datapointId: datapoint.datapointId, distance: 1 - Math.min(1, Math.max(-1, cosine)) });
    }
    neighbors.sort((a, b) => a.distance - b.distance || (a.datapointId < b.datapointId ? -1 : 1));
    return neighbors.slice(0, query.neighborCount);
  }

  async readDatapoints(datapointIds: string[]): Promise<Datapoint[]> {
    this.checkOpen();
    const found: Datapoint[] = [];
    for (const id of new Set(datapointIds)) {
      const entry = this.datapoints.get(id);
      if (entry) found.push(copyDatapoint(entry.datapoint));
    }
    return found;
  }

  async listDatapointIds(): Promise<string[]> {
    this.checkOpen();
    return [...this.datapoints.keys()].sort();
  }

  /** Drops every datapoint; later calls throw VectorIndexClosedError. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.datapoints.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new VectorIndexClosedError();
  }

  private validate(datapoint: Datapoint): void {
    validateDatapointId(datapoint.datapointId);
    validateFeatureVector(datapoint.datapointId, datapoint.featureVector, this.options.dimensions);
    const restrictsValid = Array.isArray(datapoint.restricts) && datapoint.restricts.every(
      (r) => typeof r.namespace === 'string' && Array.isArray(r.allowList) && r.allowList.every((t) => typeof t === 'string'),
    );
    if (!restrictsValid) {
      throw new InvalidDatapointError(CODES.datapointInvalid, datapoint.datapointId, 'restricts must be namespaces with string allow lists');
    }
  }
}

function matchesRestricts(datapoint: Datapoint, restricts: NonNullable<NeighborQuery['restricts']>): boolean {
  return restricts.every((filter) =>
    datapoint.restricts.some((r) => r.namespace === filter.namespace && r.allowList.some((token) => filter.allowList.includes(token))),
  );
}

function copyDatapoint(datapoint: Datapoint): Datapoint {
  return {
    datapointId: datapoint.datapointId,
    featureVector: [...datapoint.featureVector],
    restricts: datapoint.restricts.map((r) => ({ namespace: r.namespace, allowList: [...r.allowList] as [string] })),
    crowdingTag: { crowdingAttribute: datapoint.crowdingTag.crowdingAttribute },
  };
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function norm(vector: readonly number[]): number {
  return Math.sqrt(dot(vector, vector));
}
