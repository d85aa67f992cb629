import { ConfigError, loadChatDatabaseConfig } from '@mobius/config';
import { connectClient, describeDatabase } from '@mobius/db';
import { CloneError, cloneRagIntoChat, type CloneProgress } from '../chat-clone/clone.ts';
import type { CliIO } from '../io.ts';
import { startProgress, type Progress } from '../progress.ts';
import { announceTarget, databaseItem, resolveCliEnv } from '../runtime/index.ts';

export interface ChatCloneRagOptions {
  /** Source rows per batch (default CLONE_DEFAULTS.batchSize, 500); a string as commander passes it. */
  batchSize?: number | string;
  /** The data directory of the `mobius dev` whose chat database to use when no variable names one. */
  dataDir?: string;
}

function parseBatchSize(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const size = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(size) || size <= 0) throw new CloneError(`--batch-size must be a positive integer, got ${JSON.stringify(String(value))}`);
  return size;
}

/** At the end of a table: `documents: 120/120 done (120 written, 0 unchanged)`. */
export function tableDoneLine(progress: CloneProgress): string {
  return `${progress.table}: ${progress.copied}/${progress.total} done (${progress.written} written, ${progress.copied - progress.written} unchanged)`;
}

/** The rows of each table through the CLI's progress printer (stderr), and one line per table done (stdout). */
function cloneProgress(io: CliIO): (progress: CloneProgress) => void {
  let table = '';
  let current: Progress | undefined;
  return (progress) => {
    if (progress.table !== table) {
      current?.finish();
      table = progress.table;
      current = startProgress(io, `clone-rag ${table}`, 'rows', progress.total);
    }
    current!.update(progress.copied, progress.total);
    if (!progress.done) return;
    current!.finish();
    io.out(tableDoneLine(progress));
  };
}

/**
 * `mobius chat clone-rag [--batch-size N]`: the dev clone. Copies documents, chunks, chunk embeddings
 * and facts from RAG_SOURCE_DATABASE_URL into chat's 001 tables (chat's database resolved as chat
 * does: CHAT_RAG_DATABASE_URL, RAG_DATABASE_URL, CHAT_DATABASE_URL, else the dev default), keeping
 * ids, in batches, with progress (rows, rate, ETA) per table on stderr and a line per table done on stdout. Idempotent: a second run
 * writes nothing. Throws a ConfigError naming RAG_SOURCE_DATABASE_URL when it is unset, and a
 * CloneError when both variables name one database or a schema is missing.
 */
export async function chatCloneRagCommand(io: CliIO, options: ChatCloneRagOptions = {}): Promise<void> {
  const resolved = await resolveCliEnv(io, options);
  const chat = loadChatDatabaseConfig(resolved.env);
  if (!chat.ragSourceDatabaseUrl) {
    throw new ConfigError('chat', 'RAG_SOURCE_DATABASE_URL', 'is required for `mobius chat clone-rag` (the rag database to copy from)');
  }
  const batchSize = parseBatchSize(options.batchSize);
  const from = describeDatabase(chat.ragSourceDatabaseUrl);
  const to = describeDatabase(chat.databaseUrl);
  if (from.host === to.host && from.database === to.database) {
    throw new CloneError(`RAG_SOURCE_DATABASE_URL and ${chat.source} name the same database (${to.masked}): the clone needs two`);
  }
  const source = { label: 'rag source', value: chat.ragSourceDatabaseUrl, variables: ['RAG_SOURCE_DATABASE_URL'] };
  announceTarget(io, 'chat clone-rag', resolved, [source, databaseItem('chat', chat.databaseUrl)]);
  io.out(`cloning rag ${from.masked} into chat ${to.masked} (${chat.source})`);
  const sourceClient = await connectClient(chat.ragSourceDatabaseUrl, 'mobius-chat-clone-rag');
  try {
    const target = await connectClient(chat.databaseUrl, 'mobius-chat-clone-rag');
    try {
      const started = Date.now();
      const result = await cloneRagIntoChat({
        source: sourceClient,
        target,
        ...(batchSize === undefined ? {} : { batchSize }),
        onProgress: cloneProgress(io),
      });
      if (result.skippedEmbeddings > 0) {
        io.out(`chunk_embeddings: ${result.skippedEmbeddings} rag embeddings of facts not copied (chat's chunk_embeddings reference chunks only)`);
      }
      const written = result.tables.reduce((sum, table) => sum + table.written, 0);
      io.out(`clone done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${written} rows written`);
    } finally {
      await target.end();
    }
  } finally {
    await sourceClient.end();
  }
}
