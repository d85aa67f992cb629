import { validateDatapoint, validateNeighborQuery } from '../datapoint.ts';
import { VectorIndexClosedError, VectorIndexRejectedError, VectorIndexUnsupportedError } from '../errors.ts';
import type { Datapoint, Neighbor, NeighborQuery, VectorIndex } from '../types.ts';
import { localServerHeaders, type ApiEndpoint, type Credentials } from './vertex/endpoint.ts';
import { listLocalDatapointIds } from './vertex/local-extensions.ts';
import { VERTEX_ADAPTER_DEFAULTS, type VertexResources, type VertexTuning } from './vertex/options.ts';
import { callVertexRest, type RestTarget } from './vertex/rest.ts';
import { GRPC_STATUS, callWithRetry, type RetryContext } from './vertex/retry.ts';
import { fromWireDatapoint, fromWireNeighbors, toWireDatapoint, toWireQuery, type WireDatapoint, type WireNeighbors } from './vertex/wire.ts';

export interface VertexVectorIndexOptions {
  dimensions: number;
  resources: VertexResources;
  endpoint: ApiEndpoint;
  credentials: Credentials;
  /** The endpoint is the local vector index server, whose extension route lists datapoint ids. */
  localServer: boolean;
  tuning?: Partial<VertexTuning>;
}

/**
 * The VectorIndex port on Vertex AI Vector Search, over its REST API. The
 * same adapter serves `VECTOR_INDEX=vertex` (Google's endpoint, Application Default Credentials) and
 * `VECTOR_INDEX=local` (the local vector index server, with the shared service token MOBIUS_SERVICE_TOKEN).
 *
 * Upserts and removes go to the index service (`indexes/{id}:upsertDatapoints|removeDatapoints`) in
 * bounded batches, upserts two requests at a time; queries and reads go to the match service on the
 * index endpoint with the deployed index id (`indexEndpoints/{id}:findNeighbors|readIndexDatapoints`),
 * at the endpoint's public domain when it has one (looked up once with getIndexEndpoint). The calls
 * are Vertex's REST API with JSON written and read here (vertex/rest.ts says why not google-gax's
 * transcoding); the request and answer shapes are aiplatform's protobuf types. Every request is
 * retried on 429, 5xx and transport failures (see callWithRetry); the calls are idempotent, so a
 * retry is safe.
 *
 * A call validates its whole input first, so a bad datapoint fails the call before anything is sent.
 * A call that fails part-way may have applied earlier batches; repeating it is harmless.
 */
export class VertexVectorIndex implements VectorIndex {
  private readonly tuning: VertexTuning;
  private readonly retry: RetryContext;
  private readonly rest: RestTarget;
  private auth: Promise<{ getRequestHeaders(): Promise<unknown> }> | undefined;
  /** Where queries and reads go: the index endpoint's public domain when it has one (looked up once). */
  private matchTarget: Promise<RestTarget> | undefined;
  private readonly indexName: string;
  private readonly indexEndpointName: string;
  private closed = false;

  constructor(private readonly options: VertexVectorIndexOptions) {
    this.tuning = { ...VERTEX_ADAPTER_DEFAULTS, ...options.tuning };
    this.retry = { policy: this.tuning.retry, isClosed: () => this.closed };
    const { project, region, indexId, indexEndpointId } = options.resources;
    this.indexName = `projects/${project}/locations/${region}/indexes/${indexId}`;
    this.indexEndpointName = `projects/${project}/locations/${region}/indexEndpoints/${indexEndpointId}`;
    this.rest = { endpoint: options.endpoint, headers: () => this.requestHeaders(), timeoutMs: this.tuning.requestTimeoutMs };
  }

  async upsertDatapoints(datapoints: Datapoint[]): Promise<void> {
    this.checkOpen();
    for (const datapoint of datapoints) validateDatapoint(datapoint, this.options.dimensions);
    // Requests run `upsertConcurrency` at a time (the server inserts one while the next is encoded and
    // sent), so an id given twice keeps only its last value, as a sequential upsert would leave it.
    const lastOfEach = [...new Map(datapoints.map((datapoint) => [datapoint.datapointId, datapoint])).values()];
    await inParallel([...chunks(lastOfEach, this.tuning.upsertBatchSize)], this.tuning.upsertConcurrency, async (batch) => {
      const body = { datapoints: batch.map(toWireDatapoint) };
      await callWithRetry('upsertDatapoints', () => callVertexRest(this.rest, 'POST', `${this.indexName}:upsertDatapoints`, body), this.retry);
    });
  }

  async removeDatapoints(datapointIds: string[]): Promise<void> {
    this.checkOpen();
    for (const batch of chunks([...new Set(datapointIds)], this.tuning.removeBatchSize)) {
      const body = { datapointIds: batch };
      await callWithRetry('removeDatapoints', () => callVertexRest(this.rest, 'POST', `${this.indexName}:removeDatapoints`, body), this.retry);
    }
  }

  async findNeighbors(query: NeighborQuery): Promise<Neighbor[]> {
    this.checkOpen();
    validateNeighborQuery(query, this.options.dimensions);
    // The REST encoding drops zero counts and empty lists, which Vertex reads as "the default count"
    // and "no filter"; the port means "none" and "matches nothing", so those never leave the process.
    if (query.neighborCount === 0 || (query.restricts ?? []).some((r) => r.allowList.length === 0)) return [];
    const match = await this.match();
    const body = { deployedIndexId: this.options.resources.deployedIndexId, queries: [toWireQuery(query)], returnFullDatapoint: false };
    const response = await callWithRetry(
      'findNeighbors',
      () => callVertexRest<WireNeighbors>(match, 'POST', `${this.indexEndpointName}:findNeighbors`, body),
      this.retry,
    );
    return fromWireNeighbors(response).slice(0, query.neighborCount);
  }

  async readDatapoints(datapointIds: string[]): Promise<Datapoint[]> {
    this.checkOpen();
    const found: Datapoint[] = [];
    for (const batch of chunks([...new Set(datapointIds)], this.tuning.readBatchSize)) {
      found.push(...(await this.readBatch(batch)));
    }
    return found;
  }

  async listDatapointIds(): Promise<string[]> {
    this.checkOpen();
    if (!this.options.localServer) {
      throw new VectorIndexUnsupportedError(
        'listDatapointIds is not supported by Vertex AI Vector Search (it cannot enumerate an index); only the local vector index server can',
      );
    }
    const { project, region, indexId } = this.options.resources;
    const headers = localServerHeaders(this.options.credentials);
    return callWithRetry('listDatapointIds', () => listLocalDatapointIds(this.options.endpoint, { project, region, indexId }, headers), this.retry);
  }

  /** Closes the clients; later calls throw VectorIndexClosedError. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
  }

  /**
   * One readIndexDatapoints call. Ids the index does not hold are absent from the answer; should a
   * backend answer NOT_FOUND for the whole call instead, the ids are read one by one so the others
   * are still returned.
   */
  private async readBatch(ids: string[]): Promise<Datapoint[]> {
    const match = await this.match();
    const read = async (batch: string[]) => {
      const body = { deployedIndexId: this.options.resources.deployedIndexId, ids: batch };
      const response = await callWithRetry(
        'readIndexDatapoints',
        () => callVertexRest<{ datapoints?: WireDatapoint[] }>(match, 'POST', `${this.indexEndpointName}:readIndexDatapoints`, body),
        this.retry,
      );
      return (response.datapoints ?? []).map(fromWireDatapoint);
    };
    try {
      return await read(ids);
    } catch (error) {
      if (!(error instanceof VectorIndexRejectedError) || error.status !== GRPC_STATUS.notFound) throw error;
      if (ids.length === 1) return [];
      const one = await Promise.all(ids.map((id) => this.readBatch([id])));
      return one.flat();
    }
  }

  /**
   * Where queries and reads go, looked up once: the index endpoint's public domain when Vertex gives it
   * one (public endpoints answer queries only there), else the configured endpoint.
   */
  private match(): Promise<RestTarget> {
    this.matchTarget ??= this.findMatchTarget().catch((error: unknown) => {
      this.matchTarget = undefined;
      throw error;
    });
    return this.matchTarget;
  }

  private async findMatchTarget(): Promise<RestTarget> {
    const endpoint = await callWithRetry(
      'getIndexEndpoint',
      () => callVertexRest<{ publicEndpointDomainName?: string }>(this.rest, 'GET', this.indexEndpointName),
      this.retry,
    );
    const domain = endpoint.publicEndpointDomainName;
    return domain ? { ...this.rest, endpoint: { protocol: 'https', host: domain, port: 443 } } : this.rest;
  }

  /** The auth headers of a direct REST call: the service token (or none) for the local server, ADC's bearer token for Vertex. */
  private async requestHeaders(): Promise<Record<string, string>> {
    if (this.options.credentials !== 'adc') return localServerHeaders(this.options.credentials);
    this.auth ??= import('google-auth-library').then(
      ({ GoogleAuth }) => new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }),
    );
    const headers = await (await this.auth).getRequestHeaders();
    if (!(headers instanceof Headers)) return headers as Record<string, string>;
    // forEach, not entries(): the DOM typings some test dependencies pull in declare Headers without it.
    const plain: Record<string, string> = {};
    headers.forEach((value, name) => {
      plain[name] = value;
    });
    return plain;
  }

  private checkOpen(): void {
    if (this.closed) throw new VectorIndexClosedError();
  }
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/** Runs `work` over `items`, at most `concurrency` at a time; rejects with the first failure. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
}
