import hnswlib from 'hnswlib-node';

/** The HNSW graph's parameters (hnswlib's names). */
export interface HnswParameters {
  /** Links per node: 16 is hnswlib's recommended middle ground for high-dimensional embeddings. */
  m: number;
  /** Candidate list while inserting: higher builds a better graph, more slowly. */
  efConstruction: number;
  /**
   * Candidate list while searching (at least the neighbours asked for). With a filter, hnswlib fills
   * it with admitted points only, exploring further by itself, so it needs no widening for filters.
   */
  efSearch: number;
  /** Slots allocated up front; the graph doubles when full. */
  initialCapacity: number;
  /** hnswlib's level generator seed: the same inserts build the same graph. */
  randomSeed: number;
}

/** One result of a graph search: the label and hnswlib's cosine distance, 1 - cos. */
export interface GraphHit {
  label: number;
  distance: number;
}

/**
 * An hnswlib-node graph in cosine space (hnswlib normalises vectors, distance = 1 - cos), keyed by
 * numeric labels the collection assigns. Removed labels are marked deleted and their slots reused by
 * later inserts (`allowReplaceDeleted`), so churn does not grow the graph; when every slot holds a live
 * point, the graph doubles its capacity. Not safe to change while `save` runs (the collection's owner
 * holds writes back meanwhile); searching meanwhile is safe.
 */
export class HnswGraph {
  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    private readonly params: HnswParameters,
    private live: number,
  ) {}

  static create(dimensions: number, params: HnswParameters): HnswGraph {
    const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
    index.initIndex({
      maxElements: params.initialCapacity,
      m: params.m,
      efConstruction: params.efConstruction,
      randomSeed: params.randomSeed,
      allowReplaceDeleted: true,
    });
    return new HnswGraph(index, params, 0);
  }

  /** Reads a graph `save` wrote; `live` is how many of its labels are not deleted. */
  static async load(file: string, dimensions: number, params: HnswParameters, live: number): Promise<HnswGraph> {
    const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
    await index.readIndex(file, true);
    return new HnswGraph(index, params, live);
  }

  /** Inserts a new label, into a deleted point's slot when there is one, else growing when full. */
  add(label: number, vector: number[]): void {
    const slots = this.index.getCurrentCount();
    const vacant = slots - this.live;
    if (vacant === 0 && slots >= this.index.getMaxElements()) this.index.resizeIndex(Math.max(1, slots) * 2);
    this.index.addPoint(vector, label, true);
    this.live++;
  }

  /** Moves an existing label to a new vector (hnswlib re-links it in place). */
  update(label: number, vector: number[]): void {
    this.index.addPoint(vector, label, false);
  }

  remove(label: number): void {
    this.index.markDelete(label);
    this.live--;
  }

  /**
   * Up to `count` nearest live labels that `allow` admits, nearest first, searching with a candidate
   * list of `ef` (at least `count`). hnswlib may return fewer than `count` when the filter admits few.
   */
  search(vector: number[], count: number, ef: number, allow?: (label: number) => boolean): GraphHit[] {
    if (this.live === 0 || count === 0) return [];
    const k = Math.min(count, this.index.getMaxElements());
    this.index.setEf(Math.max(ef, k));
    const { neighbors, distances } = allow ? this.index.searchKnn(vector, k, allow) : this.index.searchKnn(vector, k);
    return neighbors.map((label, i) => ({ label, distance: distances[i]! }));
  }

  /** The search list for a query asking for `count` neighbours. */
  efFor(count: number): number {
    return Math.max(count, this.params.efSearch);
  }

  /** Writes the graph to `file` (hnswlib's format) on a worker thread. */
  async save(file: string): Promise<void> {
    await this.index.writeIndex(file);
  }

  /** Slots in use, deleted ones included. */
  get slots(): number {
    return this.index.getCurrentCount();
  }
}
