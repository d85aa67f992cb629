// The local vector index server over HTTP, spoken to in Vertex AI Vector Search's REST format (the
// bodies google-gax sends): restricts with allow and deny lists, numeric restricts, crowding, several
// queries per call, Google-format errors, and the graph search agreeing with an exact scan.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVectorIndexServer, type EmbeddedServer, type EmbeddedServerOptions } from '@mobius/vector-index-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BASE = '/v1/projects/proj/locations/loc';
const UPSERT = `${BASE}/indexes/main:upsertDatapoints`;
const REMOVE = `${BASE}/indexes/main:removeDatapoints`;
const FIND = `${BASE}/indexEndpoints/ep:findNeighbors`;
const READ = `${BASE}/indexEndpoints/ep:readIndexDatapoints`;

const servers: { server: EmbeddedServer; dir: string }[] = [];

/** A server serving index `main` behind endpoint `ep` (the paths above), unless told otherwise. */
async function start(options: Partial<EmbeddedServerOptions> = {}): Promise<EmbeddedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mobius-vi-server-'));
  const server = await startVectorIndexServer({ dataDir: dir, indexId: 'main', indexEndpointId: 'ep', ...options });
  servers.push({ server, dir });
  return server;
}

afterAll(async () => {
  for (const { server, dir } of servers) {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// The server takes lowercase uuids as datapoint ids (as the VectorIndex port does). These tests name
// their datapoints ('red', 'p50') for legibility: `call` sends each name as a uuid derived from it and
// reads uuids it knows back as names; uuids the tests made themselves pass through unchanged.
const names = new Map<string, string>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
function uid(name: string): string {
  if (UUID.test(name)) return name;
  const hex = createHash('sha256').update(name).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  names.set(id, name);
  return id;
}
const ID_FIELDS = new Set(['datapointId', 'ids', 'datapointIds', 'id']);
const mapIds = (value: unknown, map: (id: string) => string): unknown =>
  JSON.parse(JSON.stringify(value), (key, item) => {
    if (!ID_FIELDS.has(key)) return item;
    if (typeof item === 'string') return map(item);
    return Array.isArray(item) ? item.map((id) => (typeof id === 'string' ? map(id) : id)) : item;
  });

async function call(server: EmbeddedServer, path: string, body?: unknown, method = 'POST', headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(mapIds(body, uid)),
  });
  return { status: response.status, json: mapIds(await response.json(), (id) => names.get(id) ?? id) as Record<string, any> };
}

/** Upserts, expecting success. */
async function upsert(server: EmbeddedServer, datapoints: unknown[]) {
  const answer = await call(server, UPSERT, { datapoints });
  expect(answer).toEqual({ status: 200, json: {} });
}

/** The ids findNeighbors returns for one query (`datapoint` holds the vector and filters). */
async function neighborIds(server: EmbeddedServer, datapoint: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const { status, json } = await call(server, FIND, { deployedIndexId: 'd', queries: [{ datapoint, neighborCount: 20, ...extra }] });
  expect(status).toBe(200);
  return (json.nearestNeighbors[0].neighbors as { datapoint: { datapointId: string } }[]).map((n) => n.datapoint.datapointId);
}

describe('restricts, as Vertex documents them', () => {
  let server: EmbeddedServer;
  const v = [1, 0, 0, 0];
  const ns = (allowList: string[], denyList: string[] = []) => ({ namespace: 'color', allowList, denyList });

  beforeAll(async () => {
    server = await start({ dimensions: 4 });
    await upsert(server, [
      { datapointId: 'red', featureVector: [1, 0, 0, 0], restricts: [ns(['red']), { namespace: 'shape', allowList: ['square'] }] },
      { datapointId: 'blue', featureVector: [1, 0.1, 0, 0], restricts: [ns(['blue']), { namespace: 'shape', allowList: ['circle'] }] },
      { datapointId: 'red-purple', featureVector: [1, 0.2, 0, 0], restricts: [ns(['red', 'purple'])] },
      { datapointId: 'no-color', featureVector: [1, 0.3, 0, 0] },
      { datapointId: 'red-not-blue', featureVector: [1, 0.4, 0, 0], restricts: [ns(['red'], ['blue'])] },
    ]);
  });

  it('ORs allowed tokens within a namespace and ANDs namespaces', async () => {
    expect(await neighborIds(server, { featureVector: v, restricts: [ns(['red'])] })).toEqual(['red', 'red-purple', 'red-not-blue']);
    expect(await neighborIds(server, { featureVector: v, restricts: [ns(['red', 'blue'])] })).toEqual(['red', 'blue', 'red-purple']);
    const both = [ns(['red', 'blue']), { namespace: 'shape', allowList: ['circle'] }];
    expect(await neighborIds(server, { featureVector: v, restricts: both })).toEqual(['blue']);
    expect(await neighborIds(server, { featureVector: v })).toHaveLength(5);
  });

  it('excludes datapoints holding a token the query denies; a deny-only namespace passes points without it', async () => {
    expect(await neighborIds(server, { featureVector: v, restricts: [ns(['red', 'blue'], ['purple'])] })).toEqual(['red', 'blue']);
    expect(await neighborIds(server, { featureVector: v, restricts: [ns([], ['purple'])] })).toEqual(['red', 'blue', 'no-color', 'red-not-blue']);
  });

  it('excludes a datapoint that denies a token the query allows', async () => {
    expect(await neighborIds(server, { featureVector: v, restricts: [ns(['blue'])] })).toEqual(['blue']);
    expect(await neighborIds(server, { featureVector: v, restricts: [ns(['red'])] })).toContain('red-not-blue');
  });
});

describe('numeric restricts', () => {
  let server: EmbeddedServer;
  const v = [0, 1];

  beforeAll(async () => {
    server = await start({ dimensions: 2 });
    const price = (id: string, value: number, y: number) => ({
      datapointId: id,
      featureVector: [y, 1],
      numericRestricts: [
        { namespace: 'price', valueInt: String(value) },
        { namespace: 'weight', valueFloat: value / 10 },
      ],
    });
    await upsert(server, [price('p10', 10, 0), price('p50', 50, 0.1), price('p100', 100, 0.2), { datapointId: 'none', featureVector: [0.3, 1] }]);
  });

  const filter = (op: unknown, value: Record<string, unknown>, namespace = 'price') => ({
    featureVector: v,
    numericRestricts: [{ namespace, op, ...value }],
  });

  it.each([
    [1, ['p10']],
    [2, ['p10', 'p50']],
    [3, ['p50']],
    [4, ['p50', 'p100']],
    [5, ['p100']],
    [6, ['p10', 'p100']],
    ['LESS', ['p10']],
    ['NOT_EQUAL', ['p10', 'p100']],
  ])('compares the datapoint value to the query value with operator %s (by number or name)', async (op, expected) => {
    expect(await neighborIds(server, filter(op, { valueInt: '50' }))).toEqual(expected);
  });

  it('ANDs several filters (a range), compares floats, and never matches a value of another type or a missing one', async () => {
    const range = {
      featureVector: v,
      numericRestricts: [
        { namespace: 'price', op: 'GREATER_EQUAL', valueInt: '10' },
        { namespace: 'price', op: 'LESS', valueInt: '100' },
      ],
    };
    expect(await neighborIds(server, range)).toEqual(['p10', 'p50']);
    expect(await neighborIds(server, filter('GREATER', { valueFloat: 4.9 }, 'weight'))).toEqual(['p50', 'p100']);
    expect(await neighborIds(server, filter('LESS', { valueDouble: 1000 }))).toEqual([]);
  });

  it("refuses a query numeric restrict without an operator, in Google's error format", async () => {
    const { status, json } = await call(server, FIND, { deployedIndexId: 'd', queries: [{ datapoint: filter(undefined, { valueInt: '5' }) }] });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('op must be one of') });
  });

  it('returns numeric restricts on read as Vertex encodes them (int64 as a string)', async () => {
    const { json } = await call(server, READ, { deployedIndexId: 'd', ids: ['p50'] });
    expect(json.datapoints[0].numericRestricts).toEqual([
      { namespace: 'price', valueInt: '50' },
      { namespace: 'weight', valueFloat: Math.fround(5) },
    ]);
  });
});

describe('queries', () => {
  let server: EmbeddedServer;

  beforeAll(async () => {
    server = await start({ dimensions: 2 });
    const point = (id: string, y: number, doc: string) => ({ datapointId: id, featureVector: [1, y], crowdingTag: { crowdingAttribute: doc } });
    await upsert(
      server,
      Array.from({ length: 12 }, (_, i) => point(`p${String(i).padStart(2, '0')}`, i / 10, i < 6 ? 'doc-a' : 'doc-b')),
    );
  });

  it('answers several queries in one call, echoing their ids, with 10 neighbours when no count is given', async () => {
    const { json } = await call(server, FIND, {
      deployedIndexId: 'd',
      queries: [
        { datapoint: { datapointId: 'q1', featureVector: [1, 0] } },
        { datapoint: { datapointId: 'q2', featureVector: [1, 1.1] }, neighborCount: 2 },
      ],
    });
    expect(json.nearestNeighbors.map((n: any) => [n.id, n.neighbors.length])).toEqual([
      ['q1', 10],
      ['q2', 2],
    ]);
    expect(json.nearestNeighbors[1].neighbors.map((n: any) => n.datapoint.datapointId)).toEqual(['p11', 'p10']);
  });

  it('applies perCrowdingAttributeNeighborCount, and returns full datapoints when asked', async () => {
    expect(await neighborIds(server, { featureVector: [1, 0] }, { perCrowdingAttributeNeighborCount: 2, neighborCount: 10 })).toEqual([
      'p00',
      'p01',
      'p06',
      'p07',
    ]);
    const { json } = await call(server, FIND, {
      deployedIndexId: 'd',
      returnFullDatapoint: true,
      queries: [{ datapoint: { featureVector: [1, 0] }, neighborCount: 1 }],
    });
    expect(json.nearestNeighbors[0].neighbors).toEqual([
      { datapoint: { datapointId: 'p00', featureVector: [1, 0], crowdingTag: { crowdingAttribute: 'doc-a' } }, distance: 0 },
    ]);
  });

  it('describes the index endpoint without a public domain, so clients query it right here', async () => {
    const { json } = await call(server, `${BASE}/indexEndpoints/ep`, undefined, 'GET');
    expect(json).toMatchObject({ name: 'projects/proj/locations/loc/indexEndpoints/ep', publicEndpointEnabled: false });
    expect(json.deployedIndexes).toEqual([{ index: 'projects/proj/locations/loc/indexes/main' }]);
  });
});

describe("errors, in Google's format", () => {
  let server: EmbeddedServer;

  beforeAll(async () => {
    server = await start({ dimensions: 3 });
  });

  it('refuses a non-finite or wrong-length vector, writing nothing of the request', async () => {
    const good = { datapointId: 'good', featureVector: [1, 0, 0] };
    // JSON.stringify turns NaN into null, which is what google-gax sends for it.
    const nan = await call(server, UPSERT, { datapoints: [good, { datapointId: 'nan', featureVector: [1, Number.NaN, 0] }] });
    expect(nan).toMatchObject({
      status: 400,
      json: { error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('datapoints[1].featureVector[1] is null') } },
    });
    const short = await call(server, UPSERT, { datapoints: [good, { datapointId: 'short', featureVector: [1, 0] }] });
    expect(short).toMatchObject({
      status: 400,
      json: { error: { status: 'INVALID_ARGUMENT', message: expect.stringContaining('has 2 dimensions, index main has 3') } },
    });
    expect((await call(server, READ, { deployedIndexId: 'd', ids: ['good', 'nan', 'short'] })).json).toEqual({ datapoints: [] });
  });

  it('answers NOT_FOUND for an unknown method and INVALID_ARGUMENT for bad JSON, ids and missing fields', async () => {
    expect((await call(server, `${BASE}/indexes/main:deleteEverything`, {})).json.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect((await call(server, UPSERT, '{"datapoints": [')).json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect((await call(server, `${BASE}/indexes/..:upsertDatapoints`, { datapoints: [] })).json.error).toMatchObject({ status: 'INVALID_ARGUMENT' });
    expect((await call(server, READ, { ids: ['x'] })).json.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'deployedIndexId is required',
    });
  });

  it('serves only its configured index and endpoint: any other is NOT_FOUND, never a new index', async () => {
    await upsert(server, [{ datapointId: 'a', featureVector: [1, 0, 0] }]);
    const other = await call(server, `${BASE}/indexes/other:upsertDatapoints`, { datapoints: [{ datapointId: 'b', featureVector: [0, 1, 0] }] });
    expect(other).toMatchObject({
      status: 404,
      json: { error: { status: 'NOT_FOUND', message: expect.stringContaining('index other does not exist') } },
    });
    expect((await call(server, `${BASE}/indexes/other:removeDatapoints`, { datapointIds: ['a'] })).status).toBe(404);
    expect((await call(server, `${BASE}/indexEndpoints/elsewhere:readIndexDatapoints`, { deployedIndexId: 'd', ids: ['a'] })).status).toBe(404);
    expect((await call(server, `${BASE}/indexEndpoints/elsewhere`, undefined, 'GET')).status).toBe(404);
    expect((await call(server, '/mobius/v1/projects/proj/locations/loc/indexes/other/datapointIds', undefined, 'GET')).status).toBe(404);
    // The served index still answers, with its one datapoint.
    expect((await call(server, READ, { deployedIndexId: 'd', ids: ['a', 'b'] })).json.datapoints.map((d: any) => d.datapointId)).toEqual(['a']);
  });

  it('refuses datapoint ids that are not lowercase uuids and values beyond the float32 range', async () => {
    // A raw body: `call` leaves the id as it is.
    const badId = await call(server, UPSERT, JSON.stringify({ datapoints: [{ datapointId: 'ABC', featureVector: [1, 0, 0] }] }));
    expect(badId).toMatchObject({ status: 400, json: { error: { status: 'INVALID_ARGUMENT' } } });
    const huge = await call(server, UPSERT, { datapoints: [{ datapointId: 'huge', featureVector: [1e39, 0, 0] }] });
    expect(huge).toMatchObject({ status: 400, json: { error: { message: expect.stringContaining('beyond the range of a float32') } } });
    const query = await call(server, FIND, { deployedIndexId: 'd', queries: [{ datapoint: { featureVector: [-3.5e38, 1, 0] } }] });
    expect(query.status).toBe(400);
  });
});

describe('the HNSW graph against an exact scan', () => {
  const DIMENSIONS = 24;
  const COUNT = 3_000;
  let server: EmbeddedServer;
  const points: { id: string; vector: number[]; cluster: number; bucket: number }[] = [];
  let random = 42;
  const next = () => (random = (Math.imul(random, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const centers = Array.from({ length: 30 }, () => Array.from({ length: DIMENSIONS }, gauss));
  const near = (cluster: number) => centers[cluster]!.map((x) => x + 0.6 * gauss());
  const cosineDistance = (a: number[], b: number[]) => {
    let dot = 0,
      na = 0,
      nb = 0;
    for (let i = 0; i < a.length; i++) [dot, na, nb] = [dot + a[i]! * b[i]!, na + a[i]! ** 2, nb + b[i]! ** 2];
    return 1 - dot / Math.sqrt(na * nb);
  };
  const exact = (query: number[], k: number, admit: (p: (typeof points)[number]) => boolean = () => true) =>
    points
      .filter(admit)
      .map((p) => ({ id: p.id, d: cosineDistance(query, p.vector) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, k)
      .map((p) => p.id);
  const half = (cluster: number) => (cluster % 2 === 0 ? 'even' : 'odd');

  beforeAll(async () => {
    // A graph-first server: at 3,000 datapoints and ef 256 this cost factor leaves the exact scan only
    // filters admitting up to ~48 datapoints (sqrt(0.003 x 256 x 3000)); and a tiny start, so the graph grows.
    server = await start({ dimensions: DIMENSIONS, search: { exactScanCostFactor: 0.003 }, hnsw: { initialCapacity: 8 } });
    for (let i = 0; i < COUNT; i++) {
      const cluster = i % centers.length;
      points.push({ id: randomUUID(), vector: near(cluster).map(Math.fround), cluster, bucket: i % 100 });
    }
    for (let start = 0; start < COUNT; start += 500) {
      await upsert(
        server,
        points.slice(start, start + 500).map((p) => ({
          datapointId: p.id,
          featureVector: p.vector,
          restricts: [
            { namespace: 'half', allowList: [half(p.cluster)] },
            { namespace: 'cluster', allowList: [String(p.cluster)] },
            { namespace: 'bucket', allowList: [String(p.bucket)] },
          ],
          crowdingTag: { crowdingAttribute: String(p.cluster) },
        })),
      );
    }
  }, 60_000);

  const recall = (found: string[], truth: string[]) => found.filter((id) => truth.includes(id)).length / truth.length;

  it('finds the exact top 10 for nearly every query, unfiltered and filtered to half the index', async () => {
    let unfiltered = 0,
      filtered = 0;
    const queries = 40;
    for (let q = 0; q < queries; q++) {
      const query = near(q % centers.length);
      unfiltered += recall(await neighborIds(server, { featureVector: query }, { neighborCount: 10 }), exact(query, 10));
      const ids = await neighborIds(server, { featureVector: query, restricts: [{ namespace: 'half', allowList: ['odd'] }] }, { neighborCount: 10 });
      expect(ids.every((id) => half(points.find((p) => p.id === id)!.cluster) === 'odd')).toBe(true);
      filtered += recall(
        ids,
        exact(query, 10, (p) => half(p.cluster) === 'odd'),
      );
    }
    expect(unfiltered / queries).toBeGreaterThan(0.95);
    expect(filtered / queries).toBeGreaterThan(0.95);
  });

  it('answers a narrow filter through the graph, one that admits few datapoints exactly, and crowding across the graph', async () => {
    const query = near(7);
    // Cluster 7 has 100 datapoints: above the scan threshold, so the graph answers under the filter.
    const narrow = { featureVector: query, restricts: [{ namespace: 'cluster', allowList: ['7'] }] };
    expect(
      recall(
        await neighborIds(server, narrow, { neighborCount: 10 }),
        exact(query, 10, (p) => p.cluster === 7),
      ),
    ).toBeGreaterThan(0.9);
    // Bucket 5 has 30: the exact scan answers, so the answer is the exact one, in order.
    const few = { featureVector: query, restricts: [{ namespace: 'bucket', allowList: ['5'] }] };
    expect(await neighborIds(server, few, { neighborCount: 10 })).toEqual(exact(query, 10, (p) => p.bucket === 5));
    const none = { featureVector: query, numericRestricts: [{ namespace: 'missing', op: 'EQUAL', valueInt: '1' }] };
    expect(await neighborIds(server, none)).toEqual([]);
    const crowded = await neighborIds(server, { featureVector: query }, { neighborCount: 12, perCrowdingAttributeNeighborCount: 1 });
    const clusters = crowded.map((id) => points.find((p) => p.id === id)!.cluster);
    expect(new Set(clusters).size).toBe(12);
  });

  it('moves replaced datapoints and never returns removed ones', async () => {
    const moved = points.slice(0, 100);
    const target = near(3);
    await upsert(
      server,
      moved.map((p, i) => ({ datapointId: p.id, featureVector: target.map((x, d) => Math.fround(x + (d === i % DIMENSIONS ? 0.01 : 0))) })),
    );
    const nearest = await neighborIds(server, { featureVector: target }, { neighborCount: 20 });
    expect(nearest.filter((id) => moved.some((p) => p.id === id)).length).toBeGreaterThanOrEqual(18);
    const removed = points.slice(100, 400).map((p) => p.id);
    expect((await call(server, REMOVE, { datapointIds: removed })).status).toBe(200);
    for (let q = 0; q < 10; q++) {
      const ids = await neighborIds(server, { featureVector: near(q) }, { neighborCount: 50 });
      expect(ids).toHaveLength(50);
      expect(ids.filter((id) => removed.includes(id))).toEqual([]);
    }
  });
});

describe('local extensions', () => {
  it("counts an index's datapoints and says which ids it holds, without listing or reading them", async () => {
    const server = await start({ indexId: 'counted' });
    const count = `/mobius/v1/projects/proj/locations/loc/indexes/counted/datapointCount`;
    expect(await call(server, count, undefined, 'GET')).toEqual({ status: 200, json: { datapointCount: 0 } });
    const vector = (seed: number) => Array.from({ length: 8 }, (_, d) => Math.fround(Math.sin(seed + d)));
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const upserted = await call(server, `${BASE}/indexes/counted:upsertDatapoints`, {
      datapoints: ids.map((datapointId, i) => ({ datapointId, featureVector: vector(i) })),
    });
    expect(upserted.status).toBe(200);
    await call(server, `${BASE}/indexes/counted:upsertDatapoints`, { datapoints: [{ datapointId: ids[0], featureVector: vector(9) }] });
    await call(server, `${BASE}/indexes/counted:removeDatapoints`, { datapointIds: [ids[1], ids[2]] });
    expect(await call(server, count, undefined, 'GET')).toEqual({ status: 200, json: { datapointCount: 3 } });
    const present = `/mobius/v1/projects/proj/locations/loc/indexes/counted/presentDatapointIds`;
    const asked = [ids[4], ids[1], randomUUID(), ids[0]];
    expect(await call(server, present, { datapointIds: asked })).toEqual({ status: 200, json: { datapointIds: [ids[4], ids[0]] } });
    const refused = await call(server, present, { datapointIds: 'all' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('datapointIds must be an array');
  });
});

describe('a large upsert', () => {
  const DIMENSIONS = 64;
  const vector = (seed: number) => Array.from({ length: DIMENSIONS }, (_, d) => Math.fround(Math.sin(seed * 7.1 + d)));
  const query = { deployedIndexId: 'd', queries: [{ datapoint: { featureVector: vector(0.5) }, neighborCount: 10 }] };

  /** How long one query takes, end to end, in ms. */
  async function timedQuery(server: EmbeddedServer): Promise<number> {
    const started = performance.now();
    expect((await call(server, FIND, query)).status).toBe(200);
    return performance.now() - started;
  }

  it('does not stall queries: 20,000 datapoints are inserted in slices, queries answered between them', async () => {
    const server = await start({ dimensions: DIMENSIONS });
    const datapoints = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ datapointId: randomUUID(), featureVector: vector(from + i) }));
    await upsert(server, datapoints(0, 2_000));
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) idle.push(await timedQuery(server));

    const body = JSON.stringify({ datapoints: datapoints(2_000, 20_000) });
    const started = performance.now();
    let upsertMs = 0;
    const upserting = call(server, UPSERT, body).then((answer) => {
      upsertMs = performance.now() - started;
      return answer;
    });
    const during: number[] = [];
    while (upsertMs === 0) during.push(await timedQuery(server));
    expect((await upserting).status).toBe(200);
    expect((await call(server, '/mobius/v1/projects/proj/locations/loc/indexes/main/datapointCount', undefined, 'GET')).json).toEqual({
      datapointCount: 22_000,
    });

    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const worst = Math.max(...during);
    console.info(
      `vector index: idle query median ${median(idle).toFixed(1)} ms; during a 20k upsert of ${upsertMs.toFixed(0)} ms, ${during.length} queries, median ${median(during).toFixed(1)} ms, worst ${worst.toFixed(0)} ms`,
    );
    // Unsliced, the one query that arrives with the upsert waits for all of it, and no other is answered.
    expect(during.length).toBeGreaterThanOrEqual(10);
    expect(worst).toBeLessThan(upsertMs / 2);
  }, 120_000);
});
