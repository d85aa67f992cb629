/**
 * The local (Postgres) warehouse under the pipeline's load, through the Warehouse port as the ingestor,
 * the mart-builder and the sinks use it, on a scratch database this script creates, migrates and drops:
 * - land: every document's snapshot, `--burst` documents per landSnapshots call (as the ingestor lands
 *   a burst of events), one batch of rows per document (as its cursor FETCH yields them);
 * - merge: the one mart run that takes them all;
 * - re-merge: the same rows landed again as the next version of each document, merged: every row is
 *   compared and none is rewritten (what a republish without changes costs);
 * - read: readMartChanges of the whole mart in pages of 500, with the embedding (vertex-sync) and
 *   without it (chat-sync);
 * - the reference, in the same run on the same rows: raw COPY (text format) of (id, embedding) into a
 *   scratch table, the embedding as jsonb text and as float32 bytes in hex: what the server can parse
 *   at all in each form. The jsonb one is the limit issue 8 measures the pipeline against.
 * Each figure is rows/s; the table also prints the size of the landing and mart tables.
 *
 * Run: `npx tsx bench/warehouse.ts [--rows=5000] [--dimensions=1536] [--rows-per-document=50] [--burst=10]
 *   [--warehouse=path/to/other/libs/warehouse/src/index.ts]` (another copy of the package, e.g. an
 *   older checkout's extracted under the repo so it resolves the same dependencies: before/after)
 * Needs the machine's Postgres (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
 * Results: a table on stdout and JSON in bench/results/.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { PublishedRow } from '@mobius/contracts';
import type { SnapshotToLand, Warehouse, WarehouseConfig } from '@mobius/warehouse';
import { publishedRow } from '@mobius/warehouse/testing';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { seededRandom } from './support/random.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const ROWS = Number(args.rows ?? 5_000);
const DIMENSIONS = Number(args.dimensions ?? 1536);
const ROWS_PER_DOCUMENT = Number(args['rows-per-document'] ?? 50);
const BURST = Number(args.burst ?? 10);
const READ_PAGE_ROWS = 500;
const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** Another copy of @mobius/warehouse to measure (its src/index.ts), e.g. an older checkout's, for before/after. */
const WAREHOUSE_MODULE = args.warehouse ? `${process.cwd()}/${args.warehouse}` : '@mobius/warehouse';
const { createWarehouse } = (await import(WAREHOUSE_MODULE)) as {
  createWarehouse: (config: WarehouseConfig) => Promise<Warehouse>;
};

// ---------------------------------------------------------------------------------------------------
// Data: documents of ROWS_PER_DOCUMENT rows, embeddings of full-precision doubles (as an embedder's
// JSON gives them), from a seeded generator so runs compare.

const { next: random } = seededRandom(20_260_101);

function row(documentId: string, index: number): PublishedRow {
  return publishedRow(
    documentId,
    {
      text: `Paragraph ${index} of the provider manual: eligibility, prior authorization and appeals. `.repeat(4),
      page_number: 1 + Math.floor(index / 5),
      paragraph_index: index,
      section_path: 'Eligibility > Prior authorization',
      chapter_path: 'Chapter 3',
      summary: 'What needs prior authorization.',
      embedding: Array.from({ length: DIMENSIONS }, () => (random() - 0.5) / 10),
    },
    DIMENSIONS,
  );
}

function documents(): Array<{ documentId: string; rows: PublishedRow[] }> {
  const count = Math.ceil(ROWS / ROWS_PER_DOCUMENT);
  return Array.from({ length: count }, (_, d) => {
    const documentId = randomUUID();
    const size = Math.min(ROWS_PER_DOCUMENT, ROWS - d * ROWS_PER_DOCUMENT);
    return { documentId, rows: Array.from({ length: size }, (_, i) => row(documentId, i)) };
  });
}

async function* oneBatch(rows: PublishedRow[]): AsyncGenerator<PublishedRow[]> {
  yield rows;
}

function snapshot(doc: { documentId: string; rows: PublishedRow[] }, version: number): SnapshotToLand {
  return { documentId: doc.documentId, documentVersion: version, publishEventId: randomUUID(), eventType: 'published', rows: oneBatch(doc.rows) };
}

// ---------------------------------------------------------------------------------------------------
// Scratch database

function databaseUrl(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------
// Steps

interface Step {
  step: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  note?: string;
}

async function timed(step: string, rows: number, work: () => Promise<string | void>): Promise<Step> {
  const started = performance.now();
  const note = await work();
  const seconds = (performance.now() - started) / 1000;
  return { step, rows, seconds, rowsPerSecond: rows / seconds, ...(note ? { note } : {}) };
}

async function landAll(warehouse: Warehouse, docs: ReturnType<typeof documents>, version: number): Promise<string> {
  let landed = 0;
  for (let start = 0; start < docs.length; start += BURST) {
    const batches = await warehouse.landSnapshots(docs.slice(start, start + BURST).map((doc) => snapshot(doc, version)));
    landed += batches.reduce((sum, batch) => sum + batch.rowCount, 0);
  }
  return `${landed} rows landed`;
}

async function readAll(warehouse: Warehouse, options: { embedding: boolean }): Promise<string> {
  let rows = 0;
  let withEmbedding = 0;
  const upTo = await warehouse.latestMartRunId();
  for await (const page of warehouse.readMartChanges(0, upTo, READ_PAGE_ROWS, options)) {
    rows += page.length;
    withEmbedding += page.filter((change) => change.row.embedding !== null).length;
  }
  return `${rows} rows read, ${withEmbedding} with their embedding`;
}

/** Raw COPY of (id, embedding) text rows into a scratch table: what the server can parse at all. */
async function rawCopy(url: string, docs: ReturnType<typeof documents>, type: 'jsonb' | 'bytea'): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const table = `bench_raw_${type}`;
    await client.query(`CREATE TABLE ${table} (id uuid PRIMARY KEY, embedding ${type})`);
    const encode =
      type === 'jsonb'
        ? (embedding: number[]) => JSON.stringify(embedding)
        : (embedding: number[]) => `\\\\x${Buffer.from(Float32Array.from(embedding).buffer).toString('hex')}`;
    // One chunk per document: the stream's per-write overhead stays out of the figure.
    function* chunks(): Generator<string> {
      for (const doc of docs) yield doc.rows.map((r) => `${r.id}\t${encode(r.embedding ?? [])}\n`).join('');
    }
    await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (id, embedding) FROM STDIN`)));
    const size = await client.query<{ mb: string }>(`SELECT round(pg_total_relation_size('${table}') / 1048576.0, 1)::text AS mb`);
    return `${size.rows[0]?.mb} MB`;
  } finally {
    await client.end();
  }
}

async function tableSizes(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ name: string; mb: string }>(
      `SELECT t AS name, round(pg_total_relation_size(t) / 1048576.0, 1)::text AS mb
         FROM unnest(ARRAY['landing_rag.rag_published_embeddings', 'mobius_rag.published_rag_embeddings']) AS t`,
    );
    return Object.fromEntries(result.rows.map((r) => [r.name, Number(r.mb)]));
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const database = `mobius_bench_wh_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(database);
  process.stdout.write(`generating ${ROWS} rows x ${DIMENSIONS} dims (${ROWS_PER_DOCUMENT} per document)...\n`);
  const docs = documents();
  await admin(`CREATE DATABASE "${database}"`);
  const warehouse = await createWarehouse({ kind: 'postgres', databaseUrl: url, embeddingDimensions: DIMENSIONS });
  const steps: Step[] = [];
  const report = (step: Step) => {
    steps.push(step);
    process.stdout.write(`  ${step.step}: ${Math.round(step.rowsPerSecond)} rows/s${step.note ? ` (${step.note})` : ''}\n`);
  };
  let sizes: Record<string, number> = {};
  try {
    await warehouse.ensureSchema();
    report(await timed('land', ROWS, () => landAll(warehouse, docs, 1)));
    report(await timed('merge', ROWS, async () => `${(await warehouse.mergePendingBatches())?.rowsUpserted} rows upserted`));
    report(await timed('land again (next version, same rows)', ROWS, () => landAll(warehouse, docs, 2)));
    report(await timed('re-merge (no change)', ROWS, async () => `${(await warehouse.mergePendingBatches())?.rowsUpserted} rows upserted`));
    report(await timed('read changes with embedding', ROWS, () => readAll(warehouse, { embedding: true })));
    report(await timed('read changes without embedding', ROWS, () => readAll(warehouse, { embedding: false })));
    sizes = await tableSizes(url);
    report(await timed('raw COPY (id, embedding jsonb)', ROWS, () => rawCopy(url, docs, 'jsonb')));
    report(await timed('raw COPY (id, embedding float32 bytea)', ROWS, () => rawCopy(url, docs, 'bytea')));
  } finally {
    await warehouse.close();
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
  printTable(steps, sizes);
  const at = new Date().toISOString();
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
  const file = `${ROOT}bench/results/warehouse-${at.replaceAll(':', '-').replace('.', '-')}.json`;
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      {
        at,
        machine,
        warehouse: WAREHOUSE_MODULE,
        rows: ROWS,
        dimensions: DIMENSIONS,
        rowsPerDocument: ROWS_PER_DOCUMENT,
        burst: BURST,
        steps,
        sizesMb: sizes,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`\nresults: ${file}\n`);
}

function printTable(steps: Step[], sizes: Record<string, number>): void {
  const raw = (type: string) => steps.find((s) => s.step.startsWith('raw COPY') && s.step.includes(type))?.rowsPerSecond ?? Number.NaN;
  const [rawJson, rawBytes] = [raw('jsonb'), raw('bytea')];
  process.stdout.write(
    `\nwarehouse (postgres, ${WAREHOUSE_MODULE}), ${ROWS} rows x ${DIMENSIONS} dims, ${ROWS_PER_DOCUMENT} rows per document, ${BURST} documents per landing\n`,
  );
  process.stdout.write(
    `${'step'.padEnd(40)} ${'rows/s'.padStart(9)} ${'seconds'.padStart(8)} ${'x raw COPY jsonb'.padStart(17)} ${'x raw COPY bytea'.padStart(17)}\n`,
  );
  for (const s of steps) {
    const ratios = [rawJson, rawBytes].map((rate) => (s.rowsPerSecond / rate).toFixed(2).padStart(17));
    process.stdout.write(
      `${s.step.padEnd(40)} ${String(Math.round(s.rowsPerSecond)).padStart(9)} ${s.seconds.toFixed(2).padStart(8)} ${ratios.join(' ')}\n`,
    );
  }
  for (const [table, mb] of Object.entries(sizes)) process.stdout.write(`size of ${table}: ${mb} MB\n`);
}

await main();
