import { withTransaction } from '@mobius/db';
import { deleteOtherChatRows, lockSink, readDocumentVersions, recordDocumentVersions, upsertChatRows, type VersionedRow } from '@mobius/sink-state';
import { RECONCILE_DEFAULTS, type ReconcileDeps } from './deps.ts';
import { readRagDocuments } from './rag-documents.ts';
import { versionToWrite, type BatchRepair } from './repair-plan.ts';

const SINK = 'chat-sync';

/**
 * Makes Chat's rows of these documents exactly RAG's, in ONE Chat transaction under chat-sync's lock
 * (so no sync interleaves), RAG read after the lock is held: live rows upserted through the same
 * version-guarded statement chat-sync uses, every other row of those documents deleted whoever wrote
 * it (rows the mart never saw included), versions raised. A document chat-sync already holds at a
 * newer version than RAG's is left to it.
 */
export async function repairChatDocuments(deps: ReconcileDeps, documentIds: readonly string[]): Promise<BatchRepair> {
  return withTransaction(deps.chat, async (client) => {
    await lockSink(client, SINK, RECONCILE_DEFAULTS.lockWaitMs);
    const held = await readDocumentVersions(client, SINK, documentIds);
    const documents = await readRagDocuments(deps.rag, documentIds, false);
    const live: VersionedRow[] = [];
    const repaired: string[] = [];
    const versions: { documentId: string; documentVersion: number }[] = [];
    for (const document of documents.values()) {
      const version = versionToWrite(document, held.get(document.documentId));
      if (version === 'skip') continue;
      repaired.push(document.documentId);
      for (const row of document.rows) live.push({ row, documentVersion: version ?? 0 });
      if (version !== null) versions.push({ documentId: document.documentId, documentVersion: version });
    }
    const upserted = await upsertChatRows(client, SINK, live);
    const deleted = await deleteOtherChatRows(
      client,
      repaired,
      live.map((change) => change.row.id),
    );
    await recordDocumentVersions(client, SINK, versions);
    return { documents: repaired.length, skipped: documentIds.length - repaired.length, written: upserted + deleted, removed: deleted };
  });
}
