import { HnswGraph, type HnswParameters } from './hnsw-graph.ts';
import { TokenPostings } from './postings.ts';
import { attributesOf, compileFilter, passes, type DatapointAttributes } from './restricts.ts';
import { clampDistance, cosineDistance, norm, takeNearest, type Scored } from './scoring.ts';
import type { Found, IncomingDatapoint, NeighborSearch, StoredDatapoint } from './types.ts';

/** How queries choose between the graph and an exact scan. */
export interface SearchTuning {
  /**
   * The exact scan costs one distance per admitted datapoint; a graph search under a filter costs about
   * `exactScanCostFactor x ef x live / admitted` distances (hnswlib explores until `ef` admitted points
   * are found). The scan answers when it is the cheaper, i.e. when admitted^2 <= factor x ef x live:
   * at 100k datapoints and ef 256, filters admitting up to ~10k datapoints. Measured with
   * hnswlib-node at 1536 dimensions (bench/vector-index.ts): about 4.
   */
  exactScanCostFactor: number;
  /** With a crowding limit, the graph is first asked for this many times the neighbours wanted. */
  crowdingOverfetch: number;
}

/** What persistence saves and restores: every datapoint with its graph label. */
export interface CollectionState {
  dimensions: number;
  /** The next label to hand out (labels are never reused, so the graph's stay unambiguous). */
  nextLabel: number;
  entries: { label: number; datapoint: StoredDatapoint }[];
}

interface Entry {
  datapoint: StoredDatapoint;
  label: number;
  norm: number;
  attributes: DatapointAttributes;
}

/**
 * One index's datapoints: the records by id (vectors kept as float32, as Vertex stores them), their
 * allowed-token postings, and the HNSW graph over their vectors. Upserts replace; removes ignore
 * unknown ids. Queries apply restricts, numeric restricts and crowding exactly; the graph finds the
 * nearest candidates when the filter admits many datapoints, an exact scan when it admits few (or the
 * graph could not fill the answer). Synchronous: callers serialise writes with persistence.
 */
export class VectorCollection {
  private readonly byId = new Map<string, Entry>();
  private readonly byLabel = new Map<number, Entry>();
  private readonly postings = new TokenPostings();

  private constructor(
    readonly dimensions: number,
    private readonly graph: HnswGraph,
    private readonly tuning: SearchTuning,
    private nextLabel: number,
  ) {}

  static create(dimensions: number, hnsw: HnswParameters, tuning: SearchTuning): VectorCollection {
    return new VectorCollection(dimensions, HnswGraph.create(dimensions, hnsw), tuning, 0);
  }

  /** A collection from saved state and the graph saved with it. */
  static restore(state: CollectionState, graph: HnswGraph, tuning: SearchTuning): VectorCollection {
    const collection = new VectorCollection(state.dimensions, graph, tuning, state.nextLabel);
    for (const { label, datapoint } of state.entries) collection.track(datapoint, label);
    return collection;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Inserts or replaces each datapoint (vectors must have `dimensions` entries; the caller checks). */
  upsert(datapoints: IncomingDatapoint[]): void {
    for (const incoming of datapoints) {
      const vector = Float32Array.from(incoming.vector);
      const datapoint: StoredDatapoint = { ...incoming, vector };
      const existing = this.byId.get(incoming.id);
      if (!existing) {
        const label = this.nextLabel++;
        this.graph.add(label, incoming.vector);
        this.track(datapoint, label);
        continue;
      }
      if (!sameVector(existing.datapoint.vector, vector)) this.graph.update(existing.label, incoming.vector);
      this.untrack(existing);
      this.track(datapoint, existing.label);
    }
  }

  /** Removes the datapoints with these ids; returns how many there were. */
  remove(ids: string[]): number {
    let removed = 0;
    for (const id of ids) {
      const entry = this.byId.get(id);
      if (!entry) continue;
      this.graph.remove(entry.label);
      this.untrack(entry);
      removed++;
    }
    return removed;
  }

  /** The stored datapoints with these ids, in the order asked, each once; unknown ids are skipped. */
  read(ids: string[]): StoredDatapoint[] {
    return [...new Set(ids)].flatMap((id) => {
      const entry = this.byId.get(id);
      return entry ? [entry.datapoint] : [];
    });
  }

  /** Whether a datapoint with this id is stored. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Every datapoint id, sorted. */
  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  /** The query's neighbours, nearest first (ties by id), with Vertex's cosine distance. */
  search(search: NeighborSearch): Found[] {
    if (this.size === 0 || search.neighborCount === 0) return [];
    const admitted = this.admitted(search);
    const total = admitted?.length ?? this.size;
    if (total === 0) return [];
    const want = this.wanted(search, total);
    if (total * total <= this.tuning.exactScanCostFactor * this.graph.efFor(want) * this.size) {
      return this.exact(search, admitted ?? [...this.byId.values()]);
    }
    return this.approximate(search, admitted, want);
  }

  state(): CollectionState {
    const entries = [...this.byId.values()].map(({ label, datapoint }) => ({ label, datapoint }));
    return { dimensions: this.dimensions, nextLabel: this.nextLabel, entries };
  }

  /** Writes the graph (for persistence); the caller holds writes back until it resolves. */
  saveGraph(file: string): Promise<void> {
    return this.graph.save(file);
  }

  /** The entries that pass the query's filters; null when it has none (every entry passes). */
  private admitted(search: NeighborSearch): Entry[] | null {
    const filter = compileFilter(search);
    if (filter.empty) return null;
    const candidates = this.postings.candidates(filter);
    const admitted: Entry[] = [];
    if (candidates) {
      for (const label of candidates) {
        const entry = this.byLabel.get(label)!;
        if (passes(entry.attributes, filter)) admitted.push(entry);
      }
    } else {
      for (const entry of this.byId.values()) if (passes(entry.attributes, filter)) admitted.push(entry);
    }
    return admitted;
  }

  private exact(search: NeighborSearch, entries: Entry[]): Found[] {
    const queryNorm = norm(search.vector);
    const scored: Scored[] = entries.map(({ datapoint, norm: vectorNorm }) => ({
      id: datapoint.id,
      crowdingTag: datapoint.crowdingTag,
      distance: cosineDistance(search.vector, queryNorm, datapoint.vector, vectorNorm),
    }));
    return takeNearest(scored, search.neighborCount, search.perCrowdingAttributeNeighborCount);
  }

  /**
   * Asks the graph for the nearest admitted labels, more of them while crowding leaves the answer
   * short; if the graph still cannot fill it (a narrow filter can strand hnswlib's search), the exact
   * scan answers instead.
   */
  private approximate(search: NeighborSearch, admitted: Entry[] | null, initialWant: number): Found[] {
    const total = admitted?.length ?? this.size;
    const allow = admitted && admitted.length < this.size ? labelFilter(admitted, this.nextLabel) : undefined;
    const { neighborCount: count, perCrowdingAttributeNeighborCount: perTag } = search;
    let want = initialWant;
    for (;;) {
      const hits = this.graph.search(search.vector, want, this.graph.efFor(want), allow);
      const scored = hits.map(({ label, distance }) => {
        const { datapoint } = this.byLabel.get(label)!;
        return { id: datapoint.id, crowdingTag: datapoint.crowdingTag, distance: clampDistance(distance) };
      });
      const found = takeNearest(scored, count, perTag);
      if (found.length >= count || hits.length >= total) return found;
      if (want >= total) break;
      want = Math.min(total, want * 4);
    }
    return this.exact(search, admitted ?? [...this.byId.values()]);
  }

  /** How many candidates the graph is first asked for: more than the answer when crowding may skip some. */
  private wanted(search: NeighborSearch, total: number): number {
    const count = search.neighborCount;
    return Math.min(total, search.perCrowdingAttributeNeighborCount > 0 ? count * this.tuning.crowdingOverfetch : count);
  }

  private track(datapoint: StoredDatapoint, label: number): void {
    const entry: Entry = {
      datapoint,
      label,
      norm: norm(datapoint.vector),
      attributes: attributesOf(datapoint.restricts, datapoint.numericRestricts),
    };
    this.byId.set(datapoint.id, entry);
    this.byLabel.set(label, entry);
    this.postings.add(label, datapoint.restricts);
  }

  private untrack(entry: Entry): void {
    this.byId.delete(entry.datapoint.id);
    this.byLabel.delete(entry.label);
    this.postings.remove(entry.label, entry.datapoint.restricts);
  }
}

function sameVector(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A label predicate for hnswlib's filter callback, backed by a bitmap over the label range. */
function labelFilter(entries: Entry[], labelCount: number): (label: number) => boolean {
  const allowed = new Uint8Array(labelCount);
  for (const entry of entries) allowed[entry.label] = 1;
  return (label) => allowed[label] === 1;
}
