import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '@mobius/service';
import { invalidArgument, notFound } from '../errors.ts';
import { VectorCollection, type SearchTuning } from './collection.ts';
import type { HnswParameters } from './hnsw-graph.ts';
import { loadCollection, saveCollection, savedIndexIds } from './persistence.ts';
import type { Found, IncomingDatapoint, NeighborSearch, StoredDatapoint } from './types.ts';

export interface RegistryOptions {
  /** Where indexes are saved (VECTOR_INDEX_DATA_DIR). */
  dataDir: string;
  /** The index's dimension (EMBEDDING_DIMENSIONS); unset: the first datapoint's. */
  dimensions?: number;
  /** The one index the server holds (VERTEX_INDEX_ID); any other index id is NOT_FOUND. */
  indexId: string;
  /** The one index endpoint that serves it (VERTEX_INDEX_ENDPOINT_ID); any other endpoint is NOT_FOUND. */
  indexEndpointId: string;
  /**
   * Longest stretch of inserting one upsert may run before it yields the event loop (setImmediate), so
   * queries keep being answered during a large upsert.
   */
  upsertSliceMs: number;
  hnsw: HnswParameters;
  search: SearchTuning;
  /** A save starts this long after the last write... */
  persistDebounceMs: number;
  /** ...but no later than this after the first unsaved write. */
  persistMaxDelayMs: number;
  logger: Logger;
}

/**
 * The one index the server serves (`indexId`, behind the one endpoint `indexEndpointId`; a call on any
 * other id is NOT_FOUND, never a new index) and its persistence: changes are saved in the background
 * once writes pause (or at the latest after `persistMaxDelayMs`), and on `close`. Writes and saves run
 * one at a time (the graph must not change under hnswlib's writer); queries go on meanwhile, also
 * between the slices of a large upsert. A failed save is logged and retried later.
 */
export class IndexRegistry {
  private readonly collections = new Map<string, VectorCollection>();
  private readonly dirty = new Set<string>();
  private dirtySince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The tail of the writes and saves, which run one at a time. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly options: RegistryOptions) {}

  /** Opens the registry, loading every index saved under the data directory. */
  static async open(options: RegistryOptions): Promise<IndexRegistry> {
    const registry = new IndexRegistry(options);
    for (const id of await savedIndexIds(options.dataDir)) {
      if (id !== options.indexId) {
        options.logger.warn({ indexId: id, serving: options.indexId }, 'saved index is not the configured VERTEX_INDEX_ID: left on disk, not served');
        continue;
      }
      const collection = await loadCollection(options.dataDir, id, options.hnsw, options.search);
      registry.collections.set(id, collection);
      options.logger.info({ indexId: id, datapoints: collection.size, dimensions: collection.dimensions }, 'index loaded');
    }
    return registry;
  }

  /**
   * Inserts or replaces datapoints, in slices of at most `upsertSliceMs` of work with the event loop
   * yielded between them. Throws NOT_FOUND for another index, INVALID_ARGUMENT (nothing written) for a
   * wrong dimension.
   */
  async upsert(indexId: string, datapoints: IncomingDatapoint[]): Promise<void> {
    this.served(indexId);
    await this.exclusively(async () => {
      const existing = this.collections.get(indexId);
      const dimensions = existing?.dimensions ?? this.options.dimensions ?? datapoints[0]?.vector.length;
      const wrong = datapoints.find((d) => d.vector.length !== dimensions);
      if (wrong) {
        throw invalidArgument(`datapoint ${wrong.id}: featureVector has ${wrong.vector.length} dimensions, index ${indexId} has ${dimensions}`);
      }
      if (datapoints.length === 0 || dimensions === undefined) return;
      const collection = existing ?? VectorCollection.create(dimensions, this.options.hnsw, this.options.search);
      this.collections.set(indexId, collection);
      let next = 0;
      while (next < datapoints.length) {
        const sliceEnd = Date.now() + this.options.upsertSliceMs;
        do collection.upsert([datapoints[next++]!]);
        while (next < datapoints.length && Date.now() < sliceEnd);
        this.changed(indexId);
        if (next < datapoints.length) await nextTurn();
      }
    });
  }

  /** Removes datapoints by id; unknown ids are ignored. NOT_FOUND for another index. */
  async remove(indexId: string, ids: string[]): Promise<void> {
    this.served(indexId);
    await this.exclusively(async () => {
      const removed = this.collections.get(indexId)?.remove(ids) ?? 0;
      if (removed > 0) this.changed(indexId);
    });
  }

  /** The query's neighbours in the index the endpoint serves (none while it is empty). NOT_FOUND for another endpoint. */
  search(endpointId: string, search: NeighborSearch): Found[] {
    const collection = this.forEndpoint(endpointId);
    if (!collection) return [];
    if (search.vector.length !== collection.dimensions) {
      throw invalidArgument(`query featureVector has ${search.vector.length} dimensions, the index has ${collection.dimensions}`);
    }
    return collection.search(search);
  }

  /** Datapoints by id from the index the endpoint serves. NOT_FOUND for another endpoint. */
  read(endpointId: string, ids: string[]): StoredDatapoint[] {
    return this.forEndpoint(endpointId)?.read(ids) ?? [];
  }

  /** Every datapoint id of the index, sorted. NOT_FOUND for another index. */
  ids(indexId: string): string[] {
    this.served(indexId);
    return this.collections.get(indexId)?.ids() ?? [];
  }

  /** Those of `ids` the index holds, in the order given. NOT_FOUND for another index. */
  present(indexId: string, ids: string[]): string[] {
    this.served(indexId);
    const collection = this.collections.get(indexId);
    return collection ? ids.filter((id) => collection.has(id)) : [];
  }

  /** How many datapoints the index holds. NOT_FOUND for another index. */
  count(indexId: string): number {
    this.served(indexId);
    return this.collections.get(indexId)?.size ?? 0;
  }

  /** The index id the endpoint serves. NOT_FOUND for another endpoint. */
  endpointIndexId(endpointId: string): string {
    if (endpointId !== this.options.indexEndpointId) {
      throw notFound(`index endpoint ${endpointId} does not exist here (this server serves index endpoint ${this.options.indexEndpointId})`);
    }
    return this.options.indexId;
  }

  /** Saves every changed index now; resolves true when all saves succeeded. */
  async flush(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.exclusively(async () => {
      if (this.dirty.size === 0) return true;
      const ids = [...this.dirty];
      this.dirty.clear();
      this.dirtySince = undefined;
      return this.save(ids);
    });
  }

  /** Saves what changed (throwing if that fails) and stops the background saves. */
  async close(): Promise<void> {
    if (!(await this.flush())) throw new Error('the vector index could not be saved; see the log');
  }

  private forEndpoint(endpointId: string): VectorCollection | undefined {
    return this.collections.get(this.endpointIndexId(endpointId));
  }

  /** NOT_FOUND unless `indexId` is the index this server serves: a call never creates another. */
  private served(indexId: string): void {
    if (indexId !== this.options.indexId) {
      throw notFound(`index ${indexId} does not exist here (this server serves index ${this.options.indexId}, VERTEX_INDEX_ID)`);
    }
  }

  private async save(ids: string[]): Promise<boolean> {
    let ok = true;
    for (const id of ids) {
      const collection = this.collections.get(id)!;
      const started = Date.now();
      try {
        await saveCollection(this.options.dataDir, id, collection);
        this.options.logger.info({ indexId: id, datapoints: collection.size, ms: Date.now() - started }, 'index saved');
      } catch (error) {
        ok = false;
        this.options.logger.error({ err: error, indexId: id }, 'saving the index failed; retrying later');
        this.dirty.add(id);
      }
    }
    if (!ok) this.schedule();
    return ok;
  }

  /** Runs `work` after every write and save before it: the graph must not change under hnswlib's writer thread. */
  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private changed(indexId: string): void {
    this.dirty.add(indexId);
    this.schedule();
  }

  private schedule(): void {
    this.dirtySince ??= Date.now();
    const untilDeadline = this.dirtySince + this.options.persistMaxDelayMs - Date.now();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), Math.max(0, Math.min(this.options.persistDebounceMs, untilDeadline)));
    this.timer.unref();
  }
}
