import { validateDatapoint, validateNeighborQuery } from '../datapoint.ts';
import { InvalidArgumentError, VectorIndexClosedError } from '../errors.ts';
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
 * namespace, or a query list that is empty, matches nothing). Neighbours come nearest first, ties by id;
 * with `perCrowdingAttributeNeighborCount` a datapoint is skipped once that many nearer ones share its
 * crowding tag (as Vertex applies crowding).
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
    for (const datapoint of datapoints) validateDatapoint(datapoint, this.options.dimensions);
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
    validateNeighborQuery(query, this.options.dimensions);
    const queryNorm = norm(query.featureVector);
    const neighbors: (Neighbor & { tag: string })[] = [];
    for (const { datapoint, norm: pointNorm } of this.datapoints.values()) {
      if (!matchesRestricts(datapoint, query.restricts ?? [])) continue;
      const cosine = queryNorm === 0 || pointNorm === 0 ? 0 : dot(query.featureVector, datapoint.featureVector) / (queryNorm * pointNorm);
      // Rounding can push |cos| a hair past 1; the distance stays within [0, 2].
      const distance = 1 - Math.min(1, Math.max(-1, cosine));
      neighbors.push({ datapointId: datapoint.datapointId, distance, tag: datapoint.crowdingTag.crowdingAttribute });
    }
    neighbors.sort((a, b) => a.distance - b.distance || (a.datapointId < b.datapointId ? -1 : 1));
    const perTag = query.perCrowdingAttributeNeighborCount || Number.POSITIVE_INFINITY;
    const taken = new Map<string, number>();
    const result: Neighbor[] = [];
    for (const { datapointId, distance, tag } of neighbors) {
      if (result.length >= query.neighborCount) break;
      const count = taken.get(tag) ?? 0;
      if (count >= perTag) continue;
      taken.set(tag, count + 1);
      result.push({ datapointId, distance });
    }
    return result;
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
