// The Vertex AI adapter (VECTOR_INDEX=local) against the real local vector index server over HTTP: the
// one VectorIndex conformance suite, then what is particular to this adapter: the exact REST calls
// and bodies (docs/contracts.md, "The vector index"), bounded batches, retries on 429/5xx/transport failures that
// honour the server's RetryInfo, and errors that say whether a retry can help. Faults are injected by
// a recording proxy in front of the real server, never by a fake server.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVectorIndex, toDatapoint, type Datapoint, type VectorIndex } from '@mobius/vector-index';
import { describeVectorIndexConformance } from '@mobius/vector-index/testing';
import { startVectorIndexServer, type EmbeddedServer } from '@mobius/vector-index-server';
import { publishedRow } from '@mobius/warehouse/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const DIMENSIONS = 8;
/** Fast retries, so fault tests take milliseconds (the defaults wait up to seconds). */
const FAST_RETRY = { maxAttempts: 4, initialBackoffMs: 5, backoffMultiplier: 2, maxBackoffMs: 20 };
let server: EmbeddedServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mobius-vi-adapter-'));
  server = await startVectorIndexServer({ dataDir, dimensions: DIMENSIONS });
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describeVectorIndexConformance('vertex adapter on the local server', {
  dimensions: DIMENSIONS,
  create: () => createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: server.url }),
  capabilities: { listDatapointIds: true },
});

// ---------------------------------------------------------------------------------------------------
// A recording proxy that can answer a request itself (a status and body) or drop its connection.

interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  at: number;
}
type Fault = { status: number; body: unknown } | 'drop';

class FaultyProxy {
  readonly recorded: Recorded[] = [];
  private readonly faults: { match: RegExp; fault: Fault }[] = [];
  private readonly http: Server;
  url = '';

  constructor(private readonly target: string) {
    this.http = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => void this.answer(request.method!, request.url!, Buffer.concat(chunks).toString(), response));
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    const address = this.http.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
  }

  /** The next `times` requests whose path matches get `fault` instead of the server's answer. */
  inject(match: RegExp, fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ match, fault });
  }

  paths(): string[] {
    return this.recorded.map((r) => `${r.method} ${r.path}`);
  }

  close(): Promise<void> {
    this.http.closeAllConnections();
    return new Promise((resolve) => this.http.close(() => resolve()));
  }

  private async answer(method: string, url: string, body: string, response: import('node:http').ServerResponse) {
    const path = url.split('?')[0]!;
    this.recorded.push({ method, path, body: body ? JSON.parse(body) : undefined, at: Date.now() });
    const index = this.faults.findIndex((f) => f.match.test(path));
    if (index >= 0) {
      const { fault } = this.faults.splice(index, 1)[0]!;
      if (fault === 'drop') return response.socket?.destroy();
      response.writeHead(fault.status, { 'content-type': 'application/json' });
      return response.end(JSON.stringify(fault.body));
    }
    const upstream = await fetch(`${this.target}${url}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : body,
    });
    response.writeHead(upstream.status, { 'content-type': 'application/json' });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  }
}

const googleError = (code: number, status: string, details: unknown[] = []) => ({ error: { code, message: `injected ${status}`, status, details } });

/** A contract datapoint whose vector is exact in float32 (the index stores float32, as Vertex does). */
const datapoint = (documentId = randomUUID()): Datapoint => {
  const point = toDatapoint(publishedRow(documentId, { document_program: `p-${randomUUID()}` }, DIMENSIONS), { dimensions: DIMENSIONS });
  return { ...point, featureVector: point.featureVector.map(Math.fround) };
};

describe('the Vertex adapter on the wire', () => {
  let proxy: FaultyProxy;
  let index: VectorIndex;

  beforeAll(async () => {
    proxy = new FaultyProxy(server.url);
    await proxy.start();
  });
  afterAll(() => proxy?.close());
  afterEach(async () => {
    await index?.close();
    proxy.recorded.length = 0;
  });

  const open = (tuning: Record<string, unknown> = {}) =>
    createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: proxy.url, tuning: { retry: FAST_RETRY, ...tuning } });

  it('sends the contract datapoint to indexes/{id}:upsertDatapoints and queries the deployed index on the endpoint', async () => {
    // A server of its own: this test's index and endpoint have other names, and a server serves only its configured ones.
    const ownDir = mkdtempSync(join(tmpdir(), 'mobius-vi-names-'));
    const own = await startVectorIndexServer({ dataDir: ownDir, indexId: 'idx-1', indexEndpointId: 'ep-1' });
    const ownProxy = new FaultyProxy(own.url);
    await ownProxy.start();
    try {
      await checkRequestShapes(ownProxy);
    } finally {
      await ownProxy.close();
      await own.close();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });

  async function checkRequestShapes(proxy: FaultyProxy) {
    const resources = { project: 'proj-1', region: 'us-central1', indexId: 'idx-1', indexEndpointId: 'ep-1', deployedIndexId: 'dep_1' };
    index = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: proxy.url, resources });
    const row = publishedRow(randomUUID(), { document_payer: 'Sunshine Health', document_state: 'FL', document_program: '' }, DIMENSIONS);
    const point = toDatapoint(row, { dimensions: DIMENSIONS });
    await index.upsertDatapoints([point]);
    const restricts = [{ namespace: 'document_payer' as const, allowList: ['Sunshine Health'] }];
    const [hit] = await index.findNeighbors({
      featureVector: point.featureVector,
      neighborCount: 3,
      restricts,
      perCrowdingAttributeNeighborCount: 2,
    });
    expect(hit?.datapointId).toBe(row.id);
    await index.removeDatapoints([row.id]);

    const base = '/v1/projects/proj-1/locations/us-central1';
    expect(proxy.paths()).toEqual([
      `POST ${base}/indexes/idx-1:upsertDatapoints`,
      `GET ${base}/indexEndpoints/ep-1`,
      `POST ${base}/indexEndpoints/ep-1:findNeighbors`,
      `POST ${base}/indexes/idx-1:removeDatapoints`,
    ]);
    const [upsert, , find, remove] = proxy.recorded;
    expect(upsert!.body).toEqual({
      datapoints: [
        {
          datapointId: row.id,
          featureVector: row.embedding,
          restricts: [
            { namespace: 'document_payer', allowList: ['Sunshine Health'] },
            { namespace: 'document_state', allowList: ['FL'] },
            { namespace: 'document_program', allowList: [''] },
            { namespace: 'document_authority_level', allowList: ['payer_policy'] },
            { namespace: 'source_type', allowList: ['hierarchical'] },
          ],
          crowdingTag: { crowdingAttribute: row.document_id },
        },
      ],
    });
    expect(find!.body).toEqual({
      deployedIndexId: 'dep_1',
      queries: [{ datapoint: { datapointId: '', featureVector: row.embedding, restricts }, neighborCount: 3, perCrowdingAttributeNeighborCount: 2 }],
      returnFullDatapoint: false,
    });
    expect(remove!.body).toEqual({ datapointIds: [row.id] });
  }

  it('splits upserts, removes and reads into bounded requests', async () => {
    index = await open({ upsertBatchSize: 4, removeBatchSize: 3, readBatchSize: 5 });
    const points = Array.from({ length: 10 }, () => datapoint());
    await index.upsertDatapoints(points);
    const ids = points.map((p) => p.datapointId);
    expect(await index.readDatapoints(ids)).toHaveLength(10);
    await index.removeDatapoints(ids);
    const sizes = (verb: string, field: string) =>
      proxy.recorded.filter((r) => r.path.endsWith(verb)).map((r) => (r.body![field] as unknown[]).length);
    // Upsert requests run two at a time, so they may arrive in either order.
    expect(sizes(':upsertDatapoints', 'datapoints').sort()).toEqual([2, 4, 4]);
    expect(sizes(':readIndexDatapoints', 'ids')).toEqual([5, 5]);
    expect(sizes(':removeDatapoints', 'datapointIds')).toEqual([3, 3, 3, 1]);
    expect(await index.readDatapoints(ids)).toEqual([]);
  });

  it('keeps the last value of an id given twice in one upsert, although its requests run concurrently', async () => {
    index = await open({ upsertBatchSize: 2 });
    const first = datapoint();
    const others = Array.from({ length: 5 }, () => datapoint());
    const again = { ...datapoint(), datapointId: first.datapointId };
    // Requests of 2, two in flight: the second request would carry the id again alongside the first.
    await index.upsertDatapoints([first, others[0]!, again, ...others.slice(1)]);
    const [stored] = await index.readDatapoints([first.datapointId]);
    expect(stored!.featureVector).toEqual(again.featureVector);
    expect(await index.readDatapoints([...others.map((p) => p.datapointId)])).toHaveLength(5);
  });

  it('retries a 429 no sooner than its RetryInfo asks, then succeeds', async () => {
    index = await open();
    const retryInfo = { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.400s' };
    proxy.inject(/:upsertDatapoints$/, { status: 429, body: googleError(429, 'RESOURCE_EXHAUSTED', [retryInfo]) });
    const point = datapoint();
    await index.upsertDatapoints([point]);
    const attempts = proxy.recorded.filter((r) => r.path.endsWith(':upsertDatapoints'));
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(400);
    expect(await index.readDatapoints([point.datapointId])).toEqual([point]);
  });

  it('retries 500, 503 and a dropped connection on every call, with backoff', async () => {
    index = await open();
    proxy.inject(/:upsertDatapoints$/, { status: 503, body: googleError(503, 'UNAVAILABLE') });
    proxy.inject(/:upsertDatapoints$/, 'drop');
    proxy.inject(/:readIndexDatapoints$/, { status: 500, body: googleError(500, 'INTERNAL') });
    proxy.inject(/:findNeighbors$/, 'drop');
    const point = datapoint();
    await index.upsertDatapoints([point]);
    expect(await index.readDatapoints([point.datapointId])).toEqual([point]);
    const program = point.restricts.find((r) => r.namespace === 'document_program')!.allowList;
    const found = await index.findNeighbors({
      featureVector: point.featureVector,
      neighborCount: 1,
      restricts: [{ namespace: 'document_program', allowList: program }],
    });
    expect(found.map((n) => n.datapointId)).toEqual([point.datapointId]);
    expect(proxy.recorded.filter((r) => r.path.endsWith(':upsertDatapoints'))).toHaveLength(3);
  });

  it('gives up after the last attempt with a retryable VECTOR_INDEX_UNAVAILABLE', async () => {
    index = await open();
    proxy.inject(/:removeDatapoints$/, { status: 503, body: googleError(503, 'UNAVAILABLE') }, FAST_RETRY.maxAttempts);
    await expect(index.removeDatapoints([randomUUID()])).rejects.toMatchObject({
      code: 'VECTOR_INDEX_UNAVAILABLE',
      retryable: true,
      name: 'VectorIndexUnavailableError',
    });
    expect(proxy.recorded).toHaveLength(FAST_RETRY.maxAttempts);
  });

  it('does not retry a refusal: a dimension the index does not have is VECTOR_INDEX_REJECTED, not retryable', async () => {
    // Misconfigured: the adapter believes in 4 dimensions, the server's index has 8.
    index = await createVectorIndex({ kind: 'local', dimensions: 4, url: proxy.url, tuning: { retry: FAST_RETRY } });
    const point: Datapoint = { ...datapoint(), featureVector: [1, 0, 0, 0] };
    await expect(index.upsertDatapoints([point])).rejects.toMatchObject({ code: 'VECTOR_INDEX_REJECTED', retryable: false, status: 3 });
    expect(proxy.recorded).toHaveLength(1);
  });

  it('refuses listDatapointIds on Vertex AI itself, which cannot enumerate an index, without a request', async () => {
    const resources = { project: 'p', region: 'us-central1', indexId: 'i', indexEndpointId: 'e', deployedIndexId: 'd' };
    index = await createVectorIndex({ kind: 'vertex', dimensions: DIMENSIONS, resources, apiEndpoint: proxy.url });
    await expect(index.listDatapointIds()).rejects.toMatchObject({ code: 'VECTOR_INDEX_UNSUPPORTED', retryable: false });
    expect(proxy.recorded).toEqual([]);
  });

  it('lists ids through the local extension route, and refuses every call once closed', async () => {
    index = await open();
    const point = datapoint();
    await index.upsertDatapoints([point]);
    expect(await index.listDatapointIds()).toContain(point.datapointId);
    expect(proxy.paths().at(-1)).toBe('GET /mobius/v1/projects/mobius-local/locations/local/indexes/mobius-rag/datapointIds');
    await index.close();
    await expect(index.findNeighbors({ featureVector: point.featureVector, neighborCount: 1 })).rejects.toMatchObject({
      code: 'VECTOR_INDEX_CLOSED',
    });
  });
});
