// The local vector index server keeps its indexes in VECTOR_INDEX_DATA_DIR: saved after writes pause
// and on shutdown, written as a new generation committed by an atomic manifest rename, reloaded at start.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVectorIndex, type Datapoint } from '@mobius/vector-index';
import { startVectorIndexServer, type EmbeddedServer } from '@mobius/vector-index-server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TEST_SERVICE_TOKEN } from './support/service-token.ts';
import { startServiceProcess, stopServiceProcess, waitFor, type ServiceProcess } from './support/processes.ts';

const DIMENSIONS = 16;
const BASE = '/v1/projects/p/locations/l';
const directories: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mobius-vi-persist-'));
  directories.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

let seed = 7;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
const vector = () => Array.from({ length: DIMENSIONS }, () => Math.fround(next()));
const datapoint = (payer = 'P1'): Datapoint => ({
  datapointId: randomUUID(),
  featureVector: vector(),
  restricts: [{ namespace: 'document_payer', allowList: [payer] }],
  crowdingTag: { crowdingAttribute: randomUUID() },
});

async function post(server: { url: string }, path: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, any>;
}

describe('saving and reloading', () => {
  let server: EmbeddedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reloads every datapoint, field and graph link after a restart, and answers queries as before', async () => {
    const dir = dataDir();
    // Graph-first, so the reloaded HNSW graph (not a scan) answers the queries compared below.
    const options = { dataDir: dir, dimensions: DIMENSIONS, search: { exactScanCostFactor: 0 } };
    server = await startVectorIndexServer(options);
    const index = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: server.url });
    const points = Array.from({ length: 600 }, (_, i) => datapoint(i % 2 ? 'P1' : 'P2'));
    await index.upsertDatapoints(points);
    const replaced = { ...points[0]!, featureVector: vector(), restricts: [{ namespace: 'document_payer' as const, allowList: ['P3'] as [string] }] };
    await index.upsertDatapoints([replaced]);
    await index.removeDatapoints(points.slice(1, 51).map((p) => p.datapointId));
    // Fields the platform's datapoints never carry survive too: deny lists, numeric restricts.
    const extra = {
      datapointId: randomUUID(),
      featureVector: vector(),
      restricts: [{ namespace: 'color', allowList: ['red'], denyList: ['blue'] }],
      numericRestricts: [{ namespace: 'price', valueInt: '-9007199254740993' }],
    };
    await post(server, `${BASE}/indexes/mobius-rag:upsertDatapoints`, { datapoints: [extra] });
    const queries = Array.from({ length: 10 }, () => ({
      featureVector: vector(),
      neighborCount: 10,
      restricts: [{ namespace: 'document_payer' as const, allowList: ['P1'] }],
    }));
    const before = await Promise.all(queries.map((q) => index.findNeighbors(q)));
    const idsBefore = await index.listDatapointIds();
    await index.close();
    await server.close();

    server = await startVectorIndexServer(options);
    const reopened = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: server.url });
    expect(await reopened.listDatapointIds()).toEqual(idsBefore);
    expect(idsBefore).toHaveLength(600 - 50 + 1);
    const kept = [replaced, ...points.slice(51)];
    expect(await reopened.readDatapoints(kept.map((p) => p.datapointId))).toEqual(kept);
    expect(await reopened.readDatapoints(points.slice(1, 51).map((p) => p.datapointId))).toEqual([]);
    expect(await Promise.all(queries.map((q) => reopened.findNeighbors(q)))).toEqual(before);
    const read = await post(server, `${BASE}/indexEndpoints/mobius-rag-endpoint:readIndexDatapoints`, {
      deployedIndexId: 'd',
      ids: [extra.datapointId],
    });
    expect(read.datapoints[0]).toMatchObject({ restricts: extra.restricts, numericRestricts: extra.numericRestricts });
    // The reloaded graph takes new datapoints (into the removed ones' slots) and finds them.
    const later = Array.from({ length: 60 }, () => datapoint('P4'));
    await reopened.upsertDatapoints(later);
    for (const point of later.slice(0, 5)) {
      const [hit] = await reopened.findNeighbors({
        featureVector: point.featureVector,
        neighborCount: 1,
        restricts: [{ namespace: 'document_payer', allowList: ['P4'] }],
      });
      expect(hit?.datapointId).toBe(point.datapointId);
    }
    await reopened.close();
  });

  it('holds writes back while a save runs and loses none of them', async () => {
    const dir = dataDir();
    // Wide vectors, so the save takes long enough for a write to arrive in the middle of it.
    const wide = 512;
    const widePoint = (): Datapoint => ({ ...datapoint(), featureVector: Array.from({ length: wide }, () => Math.fround(next())) });
    server = await startVectorIndexServer({ dataDir: dir, dimensions: wide, persistDebounceMs: 60_000 });
    const index = await createVectorIndex({ kind: 'local', dimensions: wide, url: server.url });
    await index.upsertDatapoints(Array.from({ length: 3_000 }, widePoint));
    const order: string[] = [];
    const saving = server.registry.flush().then((ok) => order.push(`saved ${ok}`));
    const second = widePoint();
    const during = index.upsertDatapoints([second]).then(() => order.push('written'));
    await Promise.all([saving, during]);
    expect(order).toEqual(['saved true', 'written']);
    await index.close();
    await server.close();

    server = await startVectorIndexServer({ dataDir: dir, dimensions: wide });
    const reopened = await createVectorIndex({ kind: 'local', dimensions: wide, url: server.url });
    expect(await reopened.listDatapointIds()).toHaveLength(3_001);
    expect(await reopened.readDatapoints([second.datapointId])).toEqual([second]);
    await reopened.close();
  });

  it('keeps one generation on disk and removes what an interrupted save left behind', async () => {
    const dir = dataDir();
    server = await startVectorIndexServer({ dataDir: dir, dimensions: DIMENSIONS });
    const index = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: server.url });
    const point = datapoint();
    await index.upsertDatapoints([point]);
    expect(await server.registry.flush()).toBe(true);
    await index.upsertDatapoints([datapoint()]);
    expect(await server.registry.flush()).toBe(true);
    await index.close();
    await server.close();
    const indexDir = join(dir, 'indexes', 'mobius-rag');
    expect(readdirSync(indexDir).sort()).toEqual(['00000002.datapoints.json', '00000002.hnsw', '00000002.vectors', 'manifest.json']);

    // A save that died before its manifest: its files are ignored and removed; the last manifest holds.
    writeFileSync(join(indexDir, '00000003.hnsw.tmp'), 'partial');
    writeFileSync(join(indexDir, 'manifest.json.tmp'), '{"format": "partial');
    server = await startVectorIndexServer({ dataDir: dir, dimensions: DIMENSIONS });
    expect(readdirSync(indexDir)).not.toContain('00000003.hnsw.tmp');
    expect(existsSync(join(indexDir, 'manifest.json.tmp'))).toBe(false);
    const reopened = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: server.url });
    expect(await reopened.listDatapointIds()).toHaveLength(2);
    expect(await reopened.readDatapoints([point.datapointId])).toEqual([point]);
    await reopened.close();
  });
});

describe('mobius start vector-index', () => {
  let process: ServiceProcess | undefined;
  afterEach(async () => {
    if (process) await stopServiceProcess(process, 3_000);
    process = undefined;
  });

  // With the service token, as deployed: the Vertex adapter must send it on every call (a 401 otherwise).
  const start = (dir: string) =>
    startServiceProcess('vector-index', {
      VECTOR_INDEX_DATA_DIR: dir,
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      MOBIUS_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    });
  const open = (url: string) => createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url, serviceToken: TEST_SERVICE_TOKEN });

  it('saves on SIGTERM, and in the background once writes pause (surviving a SIGKILL after that)', async () => {
    const dir = dataDir();
    process = await start(dir);
    let index = await open(process.url);
    const onTerm = datapoint();
    await index.upsertDatapoints([onTerm]);
    await index.close();
    expect(await stopServiceProcess(process)).toBe(0);

    process = await start(dir);
    index = await open(process.url);
    expect(await index.readDatapoints([onTerm.datapointId])).toEqual([onTerm]);
    const inBackground = datapoint();
    await index.upsertDatapoints([inBackground]);
    const stranger = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: process.url });
    await expect(stranger.listDatapointIds()).rejects.toThrow(/401/);
    await expect(stranger.upsertDatapoints([datapoint()])).rejects.toThrow(/401/);
    await stranger.close();
    const running = process;
    await waitFor('the background save', async () => running.logs.some((line) => line.includes('"index saved"')), 15_000, 100);
    running.child.kill('SIGKILL');
    expect(await running.exited).toBe('SIGKILL');
    await index.close();

    process = await start(dir);
    index = await open(process.url);
    expect(await index.readDatapoints([onTerm.datapointId, inBackground.datapointId])).toEqual([onTerm, inBackground]);
    await index.close();
  }, 60_000);
});
