import { ConfigError, loadChatDatabaseConfig } from '@mobius/config';
import { connectClient, describeDatabase } from '@mobius/db';
import { CloneError, cloneRagIntoChat, type CloneProgress } from '../chat-clone/clone.ts';
import type { CliIO } from '../io.ts';

export interface ChatCloneRagOptions {
  /** Source rows per batch (default CLONE_DEFAULTS.batchSize, 500); a string as commander passes it. */
  batchSize?: number | string;
}

function parseBatchSize(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const size = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(size) || size <= 0) throw new CloneError(`--batch-size must be a positive integer, got ${JSON.stringify(String(value))}`);
  return size;
}

/** `documents: 120/120`, then at the end of a table `... done (120 written, 0 unchanged)`. */
export function progressLine(progress: CloneProgress): string {
  const line = `${progress.table}: ${progress.copied}/${progress.total}`;
  return progress.done ? `${line} done (${progress.written} written, ${progress.copied - progress.written} unchanged)` : line;
}

/**
 * `mobius chat clone-rag [--batch-size N]`: the dev clone. Copies documents, chunks, chunk embeddings
 * and facts from RAG_SOURCE_DATABASE_URL into chat's 001 tables (chat's database resolved as chat
 * does: CHAT_RAG_DATABASE_URL, RAG_DATABASE_URL, CHAT_DATABASE_URL, else the dev default), keeping
 * ids, in batches, printing a progress line per batch and per table. Idempotent: a second run
 * writes nothing. Throws a ConfigError naming RAG_SOURCE_DATABASE_URL when it is unset, and a
 * CloneError when both variables name one database or a schema is missing.
 */
export async function chatCloneRagCommand(io: CliIO, options: ChatCloneRagOptions = {}): Promise<void> {
  const chat = loadChatDatabaseConfig(io.env);
  if (!chat.ragSourceDatabaseUrl) {
    throw new ConfigError('chat', 'RAG_SOURCE_DATABASE_URL', 'is required for `mobius chat clone-rag` (the rag database to copy from)');
  }
  const batchSize = parseBatchSize(options.batchSize);
  const from = describeDatabase(chat.ragSourceDatabaseUrl);
  const to = describeDatabase(chat.databaseUrl);
  if (from.host === to.host && from.database === to.database) {
    throw new CloneError(`RAG_SOURCE_DATABASE_URL and ${chat.source} name the same database (${to.masked}): the clone needs two`);
  }
  io.out(`cloning rag ${from.masked} into chat ${to.masked} (${chat.source})`);
  const source = await connectClient(chat.ragSourceDatabaseUrl, 'mobius-chat-clone-rag');
  try {
    const target = await connectClient(chat.databaseUrl, 'mobius-chat-clone-rag');
    try {
      const started = Date.now();
      const result = await cloneRagIntoChat({
        source,
        target,
        ...(batchSize === undefined ? {} : { batchSize }),
        onProgress: (progress) => io.out(progressLine(progress)),
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
    await source.end();
  }
}
