import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { VectorCollection, type CollectionState, type SearchTuning } from './collection.ts';
import { HnswGraph, type HnswParameters } from './hnsw-graph.ts';
import type { NumericRestrict, StoredDatapoint } from './types.ts';

/**
 * One index on disk, in `<dataDir>/indexes/<indexId>/`:
 * - `manifest.json`: the commit point, naming the generation's three files;
 * - `<gen>.hnsw`: the HNSW graph (hnswlib's format);
 * - `<gen>.vectors`: every vector as little-endian float32, in the order of the datapoints file;
 * - `<gen>.datapoints.json`: ids, labels, restricts, numeric restricts, crowding tags.
 * A save writes a new generation's files (each as `.tmp`, flushed, then renamed), then the manifest
 * the same way, then removes the older generation: a crash at any point leaves the previous manifest
 * and its files intact, and stray files are removed at the next start.
 */
const MANIFEST = 'manifest.json';
const FORMAT = 'mobius-vector-index/1';

interface Manifest {
  format: typeof FORMAT;
  indexId: string;
  generation: number;
  dimensions: number;
  nextLabel: number;
  count: number;
  files: { graph: string; vectors: string; datapoints: string };
  savedAt: string;
}

/** A numeric restrict as JSON (int64 values as strings, as in Vertex's REST encoding). */
type SavedNumeric = { namespace: string; type: NumericRestrict['value']['type']; value: string | number };
type SavedDatapoint = Omit<StoredDatapoint, 'vector' | 'numericRestricts'> & { label: number; numericRestricts: SavedNumeric[] };

/** Vectors per write when streaming the vectors file (about 6 MB at 1536 dimensions). */
const VECTORS_PER_WRITE = 1024;
/** Float32Array memory is in the platform's byte order; on little-endian machines it is copied as is. */
const LITTLE_ENDIAN = endianness() === 'LE';

export function indexDirectory(dataDir: string, indexId: string): string {
  return join(dataDir, 'indexes', indexId);
}

/** The ids of the indexes saved under `dataDir` (directories holding a manifest). */
export async function savedIndexIds(dataDir: string): Promise<string[]> {
  const entries = await readdir(join(dataDir, 'indexes'), { withFileTypes: true }).catch(() => []);
  const ids: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const manifest = await readFile(join(dataDir, 'indexes', entry.name, MANIFEST)).catch(() => undefined);
    if (manifest) ids.push(entry.name);
  }
  return ids.sort();
}

/** Saves `collection` as a new generation. The caller holds writes to it back until this resolves. */
export async function saveCollection(dataDir: string, indexId: string, collection: VectorCollection): Promise<void> {
  const dir = indexDirectory(dataDir, indexId);
  await mkdir(dir, { recursive: true });
  const previous = await readManifest(dir);
  const generation = (previous?.generation ?? 0) + 1;
  const stem = String(generation).padStart(8, '0');
  const files = { graph: `${stem}.hnsw`, vectors: `${stem}.vectors`, datapoints: `${stem}.datapoints.json` };
  const state = collection.state();
  await collection.saveGraph(join(dir, `${files.graph}.tmp`));
  await flushFile(join(dir, `${files.graph}.tmp`));
  await writeVectors(join(dir, `${files.vectors}.tmp`), state);
  await writeDurably(join(dir, `${files.datapoints}.tmp`), JSON.stringify(state.entries.map(toSaved)));
  for (const file of Object.values(files)) await rename(join(dir, `${file}.tmp`), join(dir, file));
  const manifest: Manifest = {
    format: FORMAT,
    indexId,
    generation,
    dimensions: state.dimensions,
    nextLabel: state.nextLabel,
    count: state.entries.length,
    files,
    savedAt: new Date().toISOString(),
  };
  await writeDurably(join(dir, `${MANIFEST}.tmp`), JSON.stringify(manifest, null, 2));
  await rename(join(dir, `${MANIFEST}.tmp`), join(dir, MANIFEST));
  await flushFile(dir);
  await removeStrays(dir, manifest);
}

/** Loads a saved index, removing files no manifest names. Throws when its files are missing or corrupt. */
export async function loadCollection(dataDir: string, indexId: string, hnsw: HnswParameters, tuning: SearchTuning): Promise<VectorCollection> {
  const dir = indexDirectory(dataDir, indexId);
  const manifest = await readManifest(dir);
  if (!manifest) throw new Error(`no ${MANIFEST} in ${dir}`);
  await removeStrays(dir, manifest);
  const saved = JSON.parse(await readFile(join(dir, manifest.files.datapoints), 'utf8')) as SavedDatapoint[];
  const vectors = await readFile(join(dir, manifest.files.vectors));
  const bytesPerVector = manifest.dimensions * Float32Array.BYTES_PER_ELEMENT;
  if (saved.length !== manifest.count || vectors.length !== manifest.count * bytesPerVector) {
    throw new Error(`${dir}: the datapoints and vectors files do not hold the ${manifest.count} datapoints the manifest names`);
  }
  const entries = saved.map((point, i) => ({
    label: point.label,
    datapoint: fromSaved(point, readVector(vectors, i * bytesPerVector, manifest.dimensions)),
  }));
  const state: CollectionState = { dimensions: manifest.dimensions, nextLabel: manifest.nextLabel, entries };
  const graph = await HnswGraph.load(join(dir, manifest.files.graph), manifest.dimensions, hnsw, entries.length);
  return VectorCollection.restore(state, graph, tuning);
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  const text = await readFile(join(dir, MANIFEST), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.format !== FORMAT) throw new Error(`${dir}/${MANIFEST} has format ${String(manifest.format)}, expected ${FORMAT}`);
  return manifest;
}

async function writeVectors(file: string, state: CollectionState): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const bytesPerVector = state.dimensions * Float32Array.BYTES_PER_ELEMENT;
    for (let start = 0; start < state.entries.length; start += VECTORS_PER_WRITE) {
      const slice = state.entries.slice(start, start + VECTORS_PER_WRITE);
      const buffer = Buffer.allocUnsafe(slice.length * bytesPerVector);
      slice.forEach(({ datapoint: { vector } }, i) => {
        if (LITTLE_ENDIAN) buffer.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength), i * bytesPerVector);
        else for (let d = 0; d < vector.length; d++) buffer.writeFloatLE(vector[d]!, i * bytesPerVector + d * 4);
      });
      await handle.write(buffer);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A copy of one vector (a copy, so the file's buffer can be freed once loading is done). */
function readVector(buffer: Buffer, offset: number, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  if (LITTLE_ENDIAN) new Uint8Array(vector.buffer).set(buffer.subarray(offset, offset + dimensions * 4));
  else for (let d = 0; d < dimensions; d++) vector[d] = buffer.readFloatLE(offset + d * 4);
  return vector;
}

async function writeDurably(file: string, text: string): Promise<void> {
  await writeFile(file, text);
  await flushFile(file);
}

/** fsync a file or directory, so a rename after it cannot land before its content. */
async function flushFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeStrays(dir: string, manifest: Manifest): Promise<void> {
  const keep = new Set([MANIFEST, ...Object.values(manifest.files)]);
  for (const name of await readdir(dir)) {
    if (!keep.has(name)) await rm(join(dir, name), { force: true, recursive: true });
  }
}

function toSaved({ label, datapoint }: CollectionState['entries'][number]): SavedDatapoint {
  const { vector: _vector, numericRestricts, ...rest } = datapoint;
  return {
    ...rest,
    label,
    numericRestricts: numericRestricts.map(({ namespace, value }) => ({
      namespace,
      type: value.type,
      value: value.type === 'int' ? value.value.toString() : value.value,
    })),
  };
}

function fromSaved(saved: SavedDatapoint, vector: Float32Array): StoredDatapoint {
  const { label: _label, numericRestricts, ...rest } = saved;
  return {
    ...rest,
    vector,
    numericRestricts: numericRestricts.map(({ namespace, type, value }) => ({
      namespace,
      value: type === 'int' ? { type, value: BigInt(value) } : { type, value: Number(value) },
    })),
  };
}
