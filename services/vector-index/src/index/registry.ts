import type { Logger } from '@mobius/service';
import { failedPrecondition, invalidArgument } from '../errors.ts';
import { VectorCollection, type SearchTuning } from './collection.ts';
import type { HnswParameters } from './hnsw-graph.ts';
import { loadCollection, saveCollection, savedIndexIds } from './persistence.ts';
import type { Found, IncomingDatapoint, NeighborSearch, StoredDatapoint } from './types.ts';

export interface RegistryOptions {
  /** Where indexes are saved (VECTOR_INDEX_DATA_DIR). */
  dataDir: string;
  /** Every index's dimension (EMBEDDING_DIMENSIONS); unset: an index takes its first datapoint's. */
  dimensions?: number;
  /** The index every index endpoint serves (VERTEX_INDEX_ID); unset: the only index the server holds. */
  endpointIndexId?: string;
  hnsw: HnswParameters;
  search: SearchTuning;
  /** A save starts this long after the last write... */
  persistDebounceMs: number;
  /** ...but no later than this after the first unsaved write. */
  persistMaxDelayMs: number;
  logger: Logger;
}

/**
 * The indexes the server holds, by id (`indexes/{id}` creates one on its first upsert), and their
 * persistence: changes are saved in the background once writes pause (or at the latest after
 * `persistMaxDelayMs`), and on `close`. While an index is being saved, writes wait (the graph must not
 * change under hnswlib's writer); queries go on. A failed save is logged and retried later.
 */
export class IndexRegistry {
  private readonly collections = new Map<string, VectorCollection>();
  private readonly dirty = new Set<string>();
  private dirtySince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<boolean> | undefined;

  private constructor(private readonly options: RegistryOptions) {}

  /** Opens the registry, loading every index saved under the data directory. */
  static async open(options: RegistryOptions): Promise<IndexRegistry> {
    const registry = new IndexRegistry(options);
    for (const id of await savedIndexIds(options.dataDir)) {
      const collection = await loadCollection(options.dataDir, id, options.hnsw, options.search);
      registry.collections.set(id, collection);
      options.logger.info({ indexId: id, datapoints: collection.size, dimensions: collection.dimensions }, 'index loaded');
    }
    return registry;
  }

  /** Inserts or replaces datapoints. Throws INVALID_ARGUMENT (nothing written) for a wrong dimension. */
  async upsert(indexId: string, datapoints: IncomingDatapoint[]): Promise<void> {
    await this.writable();
    const existing = this.collections.get(indexId);
    const dimensions = existing?.dimensions ?? this.options.dimensions ?? datapoints[0]?.vector.length;
    const wrong = datapoints.find((d) => d.vector.length !== dimensions);
    if (wrong) {
      throw invalidArgument(`datapoint ${wrong.id}: featureVector has ${wrong.vector.length} dimensions, index ${indexId} has ${dimensions}`);
    }
    if (datapoints.length === 0 || dimensions === undefined) return;
    const collection = existing ?? VectorCollection.create(dimensions, this.options.hnsw, this.options.search);
    this.collections.set(indexId, collection);
    collection.upsert(datapoints);
    this.changed(indexId);
  }

  /** Removes datapoints by id; unknown ids and unknown indexes are ignored. */
  async remove(indexId: string, ids: string[]): Promise<void> {
    await this.writable();
    const removed = this.collections.get(indexId)?.remove(ids) ?? 0;
    if (removed > 0) this.changed(indexId);
  }

  /** The query's neighbours in the index the endpoint serves (none while that index is empty). */
  search(endpointId: string, search: NeighborSearch): Found[] {
    const collection = this.forEndpoint(endpointId);
    if (!collection) return [];
    if (search.vector.length !== collection.dimensions) {
      throw invalidArgument(`query featureVector has ${search.vector.length} dimensions, the index has ${collection.dimensions}`);
    }
    return collection.search(search);
  }

  /** Datapoints by id from the index the endpoint serves. */
  read(endpointId: string, ids: string[]): StoredDatapoint[] {
    return this.forEndpoint(endpointId)?.read(ids) ?? [];
  }

  /** Every datapoint id of an index, sorted (none for an index never written). */
  ids(indexId: string): string[] {
    return this.collections.get(indexId)?.ids() ?? [];
  }

  /** Those of `ids` an index holds, in the order given (none for an index never written). */
  present(indexId: string, ids: string[]): string[] {
    const collection = this.collections.get(indexId);
    return collection ? ids.filter((id) => collection.has(id)) : [];
  }

  /** How many datapoints an index holds (0 for an index never written). */
  count(indexId: string): number {
    return this.collections.get(indexId)?.size ?? 0;
  }

  /** The index id an endpoint serves, if any index exists to serve. */
  endpointIndexId(endpointId: string): string | undefined {
    if (this.options.endpointIndexId) return this.options.endpointIndexId;
    const ids = [...this.collections.keys()];
    if (ids.length <= 1) return ids[0];
    throw failedPrecondition(
      `index endpoint ${endpointId}: the server holds several indexes (${ids.join(', ')}); set VERTEX_INDEX_ID to the one index endpoints serve`,
    );
  }

  /** Saves every changed index now; resolves true when all saves succeeded. */
  async flush(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.saving) await this.saving;
    if (this.dirty.size === 0) return true;
    const ids = [...this.dirty];
    this.dirty.clear();
    this.dirtySince = undefined;
    this.saving = this.save(ids).finally(() => {
      this.saving = undefined;
    });
    return this.saving;
  }

  /** Saves what changed (throwing if that fails) and stops the background saves. */
  async close(): Promise<void> {
    if (!(await this.flush())) throw new Error('the vector index could not be saved; see the log');
  }

  private forEndpoint(endpointId: string): VectorCollection | undefined {
    const id = this.endpointIndexId(endpointId);
    return id === undefined ? undefined : this.collections.get(id);
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

  /** Waits while a save runs: the graph must not change under hnswlib's writer thread. */
  private async writable(): Promise<void> {
    while (this.saving) await this.saving;
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
