/**
 * Building Chat's indexes on a Chat table that already has rows, while Chat keeps writing
 * (issue 12, "Adopt production as it is"; docs/adoption.md). On a scratch database this script creates
 * and drops: Chat's published_rag_metadata as Chat's own migrations leave it (test/support/existing-chat.ts)
 * with `--rows` generated rows, then, each with a writer on its own connection that alternates an INSERT
 * and an UPDATE (autocommit, a 5 ms pause between) and times every statement:
 * - concurrent: `mobius migrate --module chat` as an operator runs it; chat 006 builds the trigram index
 *   (and Chat's other indexes and its doc-grain view) CONCURRENTLY, outside a transaction;
 * - in-transaction (the reference, `--reference`, on by default): the same trigram index built the way
 *   chat 003 used to build one, `CREATE INDEX` inside a transaction after an `ALTER TABLE ... ADD COLUMN
 *   IF NOT EXISTS`: what Chat's writers would have waited for.
 * For each: the build time, the writes completed during it, and the longest write latency during it.
 *
 * Run: `npx tsx bench/chat-index-build.ts [--rows=1000000] [--reference=false]`
 * Needs the machine's Postgres (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
 * Results: a table on stdout and JSON in bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runCli } from '@mobius/cli';
import { createDatabase, dropDatabases, queryDatabase, testDatabaseUrl, uniqueName } from '../test/support/databases.ts';
import { EXISTING_CHAT_SCHEMA, fillChatRowsSql, startChatWriter, writesDuring, type TimedWrite } from '../test/support/existing-chat.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
/** Every default of the bench, in one place. */
const DEFAULTS = {
  /** Rows of published_rag_metadata (production: ~1.95M). */
  rows: 1_000_000,
  /** Rows per INSERT ... SELECT generate_series while loading. */
  loadBatchRows: 100_000,
  /** How long the writer runs alone before a build, for its undisturbed latency. */
  warmupMs: 2_000,
} as const;
const ROWS = Number(args.rows ?? DEFAULTS.rows);
const REFERENCE = args.reference !== 'false';

interface Measurement {
  name: string;
  buildMs: number;
  writesDuringBuild: number;
  maxWriteLatencyMs: number;
  p99WriteLatencyMs: number;
  medianWriteLatencyBeforeMs: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function scratchChat(tag: string): Promise<string> {
  const database = uniqueName(tag);
  await createDatabase(database);
  await queryDatabase(database, EXISTING_CHAT_SCHEMA);
  for (let from = 1; from <= ROWS; from += DEFAULTS.loadBatchRows) {
    await queryDatabase(database, fillChatRowsSql(Math.min(DEFAULTS.loadBatchRows, ROWS - from + 1), from));
  }
  await queryDatabase(database, 'VACUUM ANALYZE published_rag_metadata');
  return database;
}

/** Runs `build` (which returns its own start and end) while the writer writes; measures the writes. */
async function measure(name: string, database: string, build: () => Promise<{ start: number; end: number }>): Promise<Measurement> {
  const writer = await startChatWriter(testDatabaseUrl(database));
  await new Promise((resolve) => setTimeout(resolve, DEFAULTS.warmupMs));
  const { start, end } = await build();
  const writes: TimedWrite[] = await writer.stop();
  const during = writesDuring(writes, start, end);
  const overlapping = writes.filter((w) => w.endedAt > start && w.startedAt < end).map((w) => w.endedAt - w.startedAt);
  const before = writes.filter((w) => w.endedAt < start).map((w) => w.endedAt - w.startedAt);
  return {
    name,
    buildMs: Math.round(end - start),
    writesDuringBuild: during.completed.length,
    maxWriteLatencyMs: Math.round(during.maxLatencyMs * 10) / 10,
    p99WriteLatencyMs: Math.round(percentile(overlapping, 99) * 10) / 10,
    medianWriteLatencyBeforeMs: Math.round(percentile(before, 50) * 10) / 10,
  };
}

/** `mobius migrate --module chat`; the build is chat 006, from the line after 005's to its own. */
async function concurrentBuild(database: string) {
  const lines: { at: number; line: string }[] = [];
  const code = await runCli(['migrate', '--env', 'dev', '--module', 'chat'], {
    env: { CHAT_DATABASE_URL: testDatabaseUrl(database) },
    out: (line) => lines.push({ at: performance.now(), line }),
    err: (line) => console.error(line),
  });
  if (code !== 0) throw new Error(`mobius migrate failed (${code})`);
  const at = (pattern: string) => lines.find((l) => l.line.includes(pattern))!.at;
  return { start: at('applied 005.'), end: at('applied 006.') };
}

/** The trigram index as the old chat 003 built one: in the migration's transaction, after an ALTER TABLE. */
async function inTransactionBuild(database: string) {
  const start = performance.now();
  await queryDatabase(
    database,
    `
    BEGIN;
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    ALTER TABLE published_rag_metadata ADD COLUMN IF NOT EXISTS expires_at timestamptz;
    CREATE INDEX IF NOT EXISTS idx_prm_trgm_names ON published_rag_metadata
      USING gin (document_display_name gin_trgm_ops, document_filename gin_trgm_ops, document_payer gin_trgm_ops);
    COMMIT;`,
  );
  return { start, end: performance.now() };
}

const results: Measurement[] = [];
const databases: string[] = [];
try {
  console.error(`loading ${ROWS} rows...`);
  const concurrent = await scratchChat('bench_cic');
  databases.push(concurrent);
  results.push(await measure('concurrent (mobius migrate, chat 006)', concurrent, () => concurrentBuild(concurrent)));
  if (REFERENCE) {
    const reference = await scratchChat('bench_tx');
    databases.push(reference);
    results.push(await measure('in a transaction (the old chat 003)', reference, () => inTransactionBuild(reference)));
  }
} finally {
  await dropDatabases(databases);
}

console.log(`Chat index build on ${ROWS} rows, a writer inserting and updating meanwhile (${cpus().length} cores)`);
console.table(results);
mkdirSync(`${ROOT}bench/results`, { recursive: true });
const file = `${ROOT}bench/results/chat-index-build-${new Date().toISOString().replaceAll(':', '-')}.json`;
writeFileSync(file, JSON.stringify({ rows: ROWS, cores: cpus().length, results }, null, 2));
console.log(`results: ${file}`);
