/**
 * Reconciliation's cost (issue 12, "Cost"): `mobius resync` run as its own process, as an operator runs
 * it, on a corpus of `rows` published rows, next to the raw limit measured in the same run on the same
 * rows:
 * - `--check --target chat` of an in-sync Chat, against a raw `COPY (SELECT id, document_id, <the same
 *   row hash> ... ORDER BY id) TO STDOUT` of RAG and of Chat at once (what the check reads, with no
 *   paging, no merge and no Node);
 * - `--repair --target chat` from an empty Chat (a backfill), against a raw COPY of the same rows'
 *   columns from RAG into a scratch table of Chat (limits.ts);
 * - with `vertexRows` > 0, on a second corpus of that many rows with embeddings: `--repair --target
 *   vertex` from an empty index and ledger, against a raw in-process HNSW insert of the same vectors,
 *   and `--check --target vertex` of the in-sync state (the default index sample), against a raw COPY of
 *   the ids and hashes from RAG and the ledger.
 * Every command's peak RSS is read too: the check must hold 2M rows in under 256 MB.
 */
import { chatRowHashSql, vectorRowHashSql } from '@mobius/contracts';
import { RECONCILE_DEFAULTS } from '@mobius/reconcile';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { vectorModel } from './corpus.ts';
import { rate, rawCopy, rawIndexInsert, type Rate } from './limits.ts';
import { runMobius, type MeasuredCommand } from './measured-command.ts';
import { copyRagToChat, loadResyncCorpus } from './resync-corpus.ts';
import { createStack, type Stack } from './stack.ts';

/** One `mobius resync` run: its rate over the rows, its ratio to its raw limit, its peak RSS. */
export interface ResyncCommand extends Rate {
  ratioToRaw: number;
  peakRssMb: number;
  peakSource: MeasuredCommand['peakSource'];
}

export interface Resync {
  rows: number;
  documents: number;
  /** Raw COPY of id, document_id and the Chat row hash out of RAG and out of Chat, both at once (the faster of two runs). */
  rawHashCopy: Rate;
  checkChat: ResyncCommand;
  /** Raw COPY of the rows' 28 columns from RAG into a scratch table of Chat. */
  rawRowCopy?: Rate;
  repairChat?: ResyncCommand;
  vertex?: {
    rows: number;
    dimensions: number;
    indexSample: number;
    rawIndexInsert: Rate;
    repair: ResyncCommand;
    /** Raw COPY of id, document_id and the vector row hash out of RAG and out of the ledger, both at once. */
    rawHashCopy: Rate;
    check: ResyncCommand;
    /** The same check with `--verify-index 0`: the hashes alone, no datapoint read back from the index. */
    checkHashesOnly: ResyncCommand;
  };
}

export interface ResyncOptions {
  rows: number;
  /** Rows of the vector target's corpus; 0 skips the vector target. */
  vertexRows: number;
  /** false: Chat is filled by COPY and only the checks are measured (the memory run at 2M rows). */
  repair: boolean;
  paragraphs: number;
  dimensions: number;
  log: (line: string) => void;
}

export async function measureResync(options: ResyncOptions): Promise<Resync> {
  const { rows, paragraphs, log } = options;
  const stack = await createStack('bench_resync', options.dimensions);
  try {
    log(`resync: generating ${rows} published rows in RAG (${Math.ceil(rows / paragraphs)} documents)`);
    await loadResyncCorpus(stack.ragUrl, { rows, paragraphs, tag: 'chat-' });
    let rawRowCopy: Rate | undefined;
    let repairChat: ResyncCommand | undefined;
    if (options.repair) {
      log('resync: raw COPY RAG -> Chat scratch, then mobius resync --repair --target chat from an empty Chat');
      rawRowCopy = await rawCopy(stack.ragUrl, stack.chatUrl);
      repairChat = figure(rows, await resync(stack, ['--repair', '--target', 'chat']), rawRowCopy);
    } else {
      log('resync: filling Chat by COPY');
      await copyRagToChat(stack.ragUrl, stack.chatUrl);
    }
    await vacuumAnalyze(stack.chatUrl, 'published_rag_metadata');
    const chatHashes = () =>
      rawHashCopy(
        stack,
        { from: 'published_rag_metadata r', id: 'r.id', hash: chatRowHashSql('r', 'timestamptz') },
        chatRowHashSql('r', 'timestamp'),
      );
    log('resync: raw hash COPY of RAG and Chat, mobius resync --check --target chat, raw again');
    const firstRaw = await chatHashes();
    const check = await resync(stack, ['--check', '--target', 'chat']);
    const raw = faster(firstRaw, await chatHashes());
    const result: Resync = { rows, documents: Math.ceil(rows / paragraphs), rawHashCopy: raw, checkChat: figure(rows, check, raw) };
    if (rawRowCopy && repairChat) Object.assign(result, { rawRowCopy, repairChat });
    if (options.vertexRows > 0) result.vertex = await measureVertex(stack, options);
    return result;
  } finally {
    await stack.destroy();
  }
}

async function measureVertex(stack: Stack, options: ResyncOptions): Promise<NonNullable<Resync['vertex']>> {
  const { vertexRows: rows, paragraphs, dimensions, log } = options;
  log(`resync: vector target: generating ${rows} rows of ${dimensions} dims in RAG (the chat corpus replaced)`);
  await loadResyncCorpus(stack.ragUrl, { rows, paragraphs, dimensions, tag: 'vertex-' });
  log('resync: raw HNSW insert of the same vectors, in process');
  const rawIndex = rawIndexInsert({ documentIds: [], embeddingIds: [], rows, vectors: vectorModel(dimensions, paragraphs) });
  log('resync: mobius resync --repair --target vertex from an empty index and ledger');
  const repair = figure(rows, await resync(stack, ['--repair', '--target', 'vertex']), rawIndex);
  await vacuumAnalyze(stack.chatUrl, 'mobius_vector_ledger');
  const ledgerHashes = () =>
    rawHashCopy(stack, { from: 'mobius_vector_ledger r', id: 'r.datapoint_id', hash: 'r.row_hash' }, vectorRowHashSql('r', 'timestamp'));
  log('resync: raw hash COPY of RAG and the ledger, mobius resync --check --target vertex (and --verify-index 0), raw again');
  const firstRaw = await ledgerHashes();
  const check = await resync(stack, ['--check', '--target', 'vertex']);
  const hashesOnly = await resync(stack, ['--check', '--target', 'vertex', '--verify-index', '0']);
  const raw = faster(firstRaw, await ledgerHashes());
  return {
    rows,
    dimensions,
    indexSample: RECONCILE_DEFAULTS.indexSample,
    rawIndexInsert: rawIndex,
    repair,
    rawHashCopy: raw,
    check: figure(rows, check, raw),
    checkHashesOnly: figure(rows, hashesOnly, raw),
  };
}

/** Runs `mobius resync <args>` against the stack; anything but exit 0 (in sync, or repaired) fails the phase. */
async function resync(stack: Stack, args: string[]): Promise<MeasuredCommand> {
  const run = await runMobius(['resync', ...args], stack.pipeline.env);
  if (run.code !== 0) {
    throw new Error(`mobius resync ${args.join(' ')} exited ${run.code}:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  }
  return run;
}

function figure(rows: number, run: MeasuredCommand, raw: Rate): ResyncCommand {
  const measured = rate(rows, run.seconds);
  return { ...measured, ratioToRaw: measured.perSecond / raw.perSecond, peakRssMb: run.peakRssMb, peakSource: run.peakSource };
}

const faster = (a: Rate, b: Rate): Rate => (a.perSecond >= b.perSecond ? a : b);

async function vacuumAnalyze(url: string, table: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`VACUUM ANALYZE ${table}`);
  } finally {
    await client.end();
  }
}

/**
 * `COPY (SELECT id, document_id, hash ... ORDER BY id) TO STDOUT` out of RAG's published rows and out
 * of the sink's table at the same time, the output read and dropped; timed until both are done. Rows
 * are RAG's (what the check's rows/s counts).
 */
async function rawHashCopy(stack: Stack, sink: { from: string; id: string; hash: string }, ragHash: string): Promise<Rate> {
  const sides = [
    { url: stack.ragUrl, sql: `SELECT r.id, r.document_id, ${ragHash} FROM rag_published_embeddings r ORDER BY r.id` },
    { url: stack.chatUrl, sql: `SELECT ${sink.id}, r.document_id, ${sink.hash} FROM ${sink.from} ORDER BY ${sink.id}` },
  ];
  const clients = sides.map((side) => new pg.Client({ connectionString: side.url }));
  await Promise.all(clients.map((client) => client.connect()));
  try {
    const started = performance.now();
    const [ragRows] = await Promise.all(sides.map((side, i) => countLines(clients[i]!.query(copyTo(`COPY (${side.sql}) TO STDOUT`)))));
    return rate(ragRows!, (performance.now() - started) / 1000);
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

async function countLines(stream: AsyncIterable<Buffer>): Promise<number> {
  let lines = 0;
  for await (const chunk of stream) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return lines;
}
