/**
 * The local vector index server under load, through the platform's own Vertex adapter over HTTP, as
 * vertex-sync and chat use it:
 * - upsert throughput (datapoints/s, calls of 1,000 datapoints, two in flight, 100 per request);
 * - findNeighbors latency (p50/p99 of sequential queries) and recall@10 against an exact scan computed
 *   here on the same data, for unfiltered, payer-filtered (~10%), payer+state-filtered (~1%) and
 *   crowded (2 per document) queries;
 * - the background save of the whole index, and the reload after a restart.
 *
 * Run: `npx tsx bench/vector-index.ts [--count=100000] [--dimensions=1536] [--queries=100]`
 * The server runs as its own process (`mobius start vector-index`, default parameters) on a temporary
 * data directory. Results: a table on stdout and JSON in bench/results/.
 *
 * Data: synthetic embeddings with the structure of real ones (not uniform noise, on which no ANN index
 * does well): documents of 20 chunks, each document drawn around one of count/100 topic centres, plus
 * a shared 16-dimensional latent variation and isotropic noise. Queries come from the same model.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createVectorIndex, type Datapoint, type NeighborQuery, type VectorIndex } from '@mobius/vector-index';
import { VECTOR_INDEX_SERVER_DEFAULTS } from '@mobius/vector-index-server';
import { seededRandom } from './support/random.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const COUNT = Number(args.count ?? 100_000);
const DIMENSIONS = Number(args.dimensions ?? 1536);
const QUERIES = Number(args.queries ?? 100);
const CHUNKS_PER_DOCUMENT = 20;
const PAYERS = 10;
const STATES = 10;
const CALL_SIZE = 1_000;
const IN_FLIGHT = 2;
const K = 10;

// ---------------------------------------------------------------------------------------------------
// Data

const { next: random, gaussian } = seededRandom(20_260_101);

const LATENT = 16;
const centres = Array.from({ length: Math.max(10, Math.floor(COUNT / 100)) }, () => Float32Array.from({ length: DIMENSIONS }, () => 2 * gaussian()));
const basis = Array.from({ length: LATENT }, () => Float32Array.from({ length: DIMENSIONS }, gaussian));

function sample(centre: Float32Array, into: Float32Array): void {
  into.set(centre);
  for (const row of basis) {
    const z = gaussian();
    for (let d = 0; d < DIMENSIONS; d++) into[d]! += z * row[d]!;
  }
  for (let d = 0; d < DIMENSIONS; d++) into[d]! += 0.5 * gaussian();
}

interface Corpus {
  ids: string[];
  vectors: Float32Array;
  norms: Float64Array;
  payer: Uint8Array;
  state: Uint8Array;
  document: string[];
}

function corpus(): Corpus {
  const vectors = new Float32Array(COUNT * DIMENSIONS);
  const norms = new Float64Array(COUNT);
  const payer = new Uint8Array(COUNT);
  const state = new Uint8Array(COUNT);
  const ids: string[] = [];
  const document: string[] = [];
  let doc = { id: '', centre: centres[0]!, payer: 0, state: 0 };
  for (let i = 0; i < COUNT; i++) {
    if (i % CHUNKS_PER_DOCUMENT === 0) {
      doc = {
        id: randomUUID(),
        centre: centres[Math.floor(random() * centres.length)]!,
        payer: Math.floor(random() * PAYERS),
        state: Math.floor(random() * STATES),
      };
    }
    const vector = vectors.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS);
    sample(doc.centre, vector);
    norms[i] = Math.sqrt(vector.reduce((s, x) => s + x * x, 0));
    ids.push(randomUUID());
    document.push(doc.id);
    payer[i] = doc.payer;
    state[i] = doc.state;
  }
  return { ids, vectors, norms, payer, state, document };
}

function datapointOf(data: Corpus, i: number): Datapoint {
  return {
    datapointId: data.ids[i]!,
    featureVector: Array.from(data.vectors.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS)),
    restricts: [
      { namespace: 'document_payer', allowList: [`payer-${data.payer[i]}`] },
      { namespace: 'document_state', allowList: [`S${data.state[i]}`] },
      { namespace: 'document_program', allowList: [''] },
      { namespace: 'document_authority_level', allowList: ['payer_policy'] },
      { namespace: 'source_type', allowList: ['hierarchical'] },
    ],
    crowdingTag: { crowdingAttribute: data.document[i]! },
  };
}

// ---------------------------------------------------------------------------------------------------
// The server process

interface ServerProcess {
  url: string;
  child: ChildProcess;
  lines: string[];
}

function startServer(dataDir: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['bin/mobius.js', 'start', 'vector-index'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      VECTOR_INDEX_DATA_DIR: dataDir,
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`vector-index exited (${code}):\n${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const address = /"address":"(http:\/\/[^"]+)"/.exec(line)?.[1];
      if (address && line.includes('listening')) resolve({ url: address, child, lines });
    });
  });
}

async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/**
 * The server's log of the save that holds all `count` datapoints (saves also run during a long ingest,
 * every persistMaxDelayMs, each of what was there by then).
 */
async function waitForFullSave(server: ServerProcess, count: number): Promise<{ ms: number }> {
  for (;;) {
    const line = server.lines.find((l) => l.includes('"index saved"') && (JSON.parse(l) as { datapoints: number }).datapoints === count);
    if (line) return JSON.parse(line) as { ms: number };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------------------------------------------
// Measurements

async function upsertAll(index: VectorIndex, data: Corpus): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < COUNT) {
      const start = next;
      next += CALL_SIZE;
      const points = [];
      for (let i = start; i < Math.min(COUNT, start + CALL_SIZE); i++) points.push(datapointOf(data, i));
      await index.upsertDatapoints(points);
      if ((start / CALL_SIZE) % 10 === 0) process.stdout.write(`\r  upserted ${start + points.length} / ${COUNT}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  process.stdout.write('\n');
  return (performance.now() - started) / 1000;
}

interface QueryKind {
  name: string;
  /** Which corpus entries the query admits, and the port's filters saying so. */
  filter: () => { admits: (i: number) => boolean; restricts: NeighborQuery['restricts'] };
  perDocument?: number;
}

const QUERY_KINDS: QueryKind[] = [
  { name: 'unfiltered', filter: () => ({ admits: () => true, restricts: [] }) },
  {
    name: 'payer (~10%)',
    filter: () => {
      const p = Math.floor(random() * PAYERS);
      return { admits: (i) => data.payer[i] === p, restricts: [{ namespace: 'document_payer', allowList: [`payer-${p}`] }] };
    },
  },
  {
    name: 'payer+state (~1%)',
    filter: () => {
      const [p, s] = [Math.floor(random() * PAYERS), Math.floor(random() * STATES)];
      return {
        admits: (i) => data.payer[i] === p && data.state[i] === s,
        restricts: [
          { namespace: 'document_payer', allowList: [`payer-${p}`] },
          { namespace: 'document_state', allowList: [`S${s}`] },
        ],
      };
    },
  },
  { name: 'crowded (2/document)', filter: () => ({ admits: () => true, restricts: [] }), perDocument: 2 },
];

/** The exact answer: cosine distance to every admitted vector, crowding applied as the server does. */
function exactNeighbors(query: Float32Array, admits: (i: number) => boolean, perDocument: number): string[] {
  let queryNorm = 0;
  for (let d = 0; d < DIMENSIONS; d++) queryNorm += query[d]! * query[d]!;
  queryNorm = Math.sqrt(queryNorm);
  const scored: { i: number; distance: number }[] = [];
  for (let i = 0; i < COUNT; i++) {
    if (!admits(i)) continue;
    const offset = i * DIMENSIONS;
    let dot = 0;
    for (let d = 0; d < DIMENSIONS; d++) dot += query[d]! * data.vectors[offset + d]!;
    scored.push({ i, distance: 1 - dot / (queryNorm * data.norms[i]!) });
  }
  scored.sort((a, b) => a.distance - b.distance);
  const perDoc = new Map<string, number>();
  const result: string[] = [];
  for (const { i } of scored) {
    if (result.length === K) break;
    const used = perDoc.get(data.document[i]!) ?? 0;
    if (perDocument > 0 && used >= perDocument) continue;
    perDoc.set(data.document[i]!, used + 1);
    result.push(data.ids[i]!);
  }
  return result;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Times the queries first, then computes their exact answers: the exact scan allocates heavily, and a
 * garbage collection of this process landing inside a timed call would be charged to the server.
 */
async function measureQueries(index: VectorIndex, kind: QueryKind) {
  const asked: { probe: Float32Array; admits: (i: number) => boolean; found: string[] }[] = [];
  const latencies: number[] = [];
  for (let q = -10; q < QUERIES; q++) {
    const probe = new Float32Array(DIMENSIONS);
    sample(centres[Math.floor(random() * centres.length)]!, probe);
    const { admits, restricts } = kind.filter();
    const query: NeighborQuery = {
      featureVector: Array.from(probe),
      neighborCount: K,
      restricts,
      perCrowdingAttributeNeighborCount: kind.perDocument,
    };
    const started = performance.now();
    const found = await index.findNeighbors(query);
    const ms = performance.now() - started;
    if (q < 0) continue; // warm-up
    latencies.push(ms);
    asked.push({ probe, admits, found: found.map((n) => n.datapointId) });
  }
  let recall = 0;
  for (const { probe, admits, found } of asked) {
    const truth = new Set(exactNeighbors(probe, admits, kind.perDocument ?? 0));
    recall += found.filter((id) => truth.has(id)).length / Math.max(1, truth.size);
  }
  latencies.sort((a, b) => a - b);
  return {
    name: kind.name,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    meanMs: round(latencies.reduce((s, x) => s + x, 0) / latencies.length),
    maxMs: round(latencies.at(-1)!),
    recallAt10: round(recall / QUERIES, 4),
  };
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

// ---------------------------------------------------------------------------------------------------

console.log(`vector-index bench: ${COUNT} x ${DIMENSIONS}, ${QUERIES} queries per kind, ${cpus().length} cores, node ${process.version}`);
let started = performance.now();
const data = corpus();
console.log(`  generated the corpus in ${round((performance.now() - started) / 1000, 1)} s`);

const dataDir = mkdtempSync(join(tmpdir(), 'mobius-vi-bench-'));
let server = await startServer(dataDir);
let index = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: server.url });
try {
  const upsertSeconds = await upsertAll(index, data);
  console.log(`  upserted in ${round(upsertSeconds, 1)} s; waiting for the background save`);
  const saved = await waitForFullSave(server, COUNT);

  const queries = [];
  for (const kind of QUERY_KINDS) queries.push(await measureQueries(index, kind));

  await index.close();
  started = performance.now();
  await stopServer(server);
  const stopMs = performance.now() - started;
  started = performance.now();
  server = await startServer(dataDir);
  const reloadMs = performance.now() - started;
  index = await createVectorIndex({ kind: 'local', dimensions: DIMENSIONS, url: server.url });
  const reloaded = (await index.listDatapointIds()).length;

  const results = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    corpus: { count: COUNT, dimensions: DIMENSIONS, documents: COUNT / CHUNKS_PER_DOCUMENT, topics: centres.length },
    server: { hnsw: VECTOR_INDEX_SERVER_DEFAULTS.hnsw, search: VECTOR_INDEX_SERVER_DEFAULTS.search },
    upsert: {
      datapoints: COUNT,
      seconds: round(upsertSeconds, 1),
      datapointsPerSecond: Math.round(COUNT / upsertSeconds),
      callSize: CALL_SIZE,
      inFlight: IN_FLIGHT,
    },
    save: { ms: saved.ms },
    restart: { stopMs: Math.round(stopMs), reloadMs: Math.round(reloadMs), datapointsAfterReload: reloaded },
    findNeighbors: { k: K, queries: QUERIES, kinds: queries },
  };

  console.log('');
  console.log(`| upsert | ${results.upsert.datapointsPerSecond} datapoints/s (${COUNT} in ${results.upsert.seconds} s) |`);
  console.log(`| background save (all ${COUNT}) | ${saved.ms} ms |`);
  console.log(`| restart | stop ${results.restart.stopMs} ms, reload ${results.restart.reloadMs} ms, ${reloaded} datapoints |`);
  console.log('');
  console.log('| findNeighbors (k=10) | p50 ms | p99 ms | mean ms | max ms | recall@10 |');
  console.log('|---|---|---|---|---|---|');
  for (const q of queries) console.log(`| ${q.name} | ${q.p50Ms} | ${q.p99Ms} | ${q.meanMs} | ${q.maxMs} | ${q.recallAt10} |`);

  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `vector-index-${COUNT}x${DIMENSIONS}-${results.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
} finally {
  await index.close();
  await stopServer(server).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}
