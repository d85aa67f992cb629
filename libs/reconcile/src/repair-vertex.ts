import type { PublishedRow } from '@mobius/contracts';
import { withTransaction } from '@mobius/db';
import {
  ledgerIdsOfDocuments,
  lockSink,
  readDocumentVersions,
  recordDocumentVersions,
  recordLedgerRemovals,
  recordLedgerWrites,
} from '@mobius/sink-state';
import { InvalidDatapointError, toDatapoint, type Datapoint, type VectorIndex } from '@mobius/vector-index';
import type pg from 'pg';
import { RECONCILE_DEFAULTS, type ReconcileDeps } from './deps.ts';
import { readRagDocuments } from './rag-documents.ts';
import { versionToWrite, type BatchRepair } from './repair-plan.ts';

const SINK = 'vertex-sync';

/**
 * Makes the index's datapoints of these documents exactly RAG's indexable rows, under vertex-sync's
 * lock in one Chat transaction (the ledger and versions commit only after every index call succeeded;
 * a crash in between repeats idempotent upserts and removes). Removed: every id the ledger or Chat
 * holds for the documents that RAG does not hold as an indexable row, so datapoints of pre-cutover rows
 * and of a re-embed's old ids go even when the mart never saw them.
 */
export async function repairVertexDocuments(deps: ReconcileDeps, documentIds: readonly string[]): Promise<BatchRepair> {
  const index = deps.index;
  if (!index) throw new Error('repairVertexDocuments needs the vector index');
  return withTransaction(deps.chat, async (client) => {
    await lockSink(client, SINK, RECONCILE_DEFAULTS.lockWaitMs);
    const held = await readDocumentVersions(client, SINK, documentIds);
    const documents = await readRagDocuments(deps.rag, documentIds, true);
    const repaired: string[] = [];
    const versions: { documentId: string; documentVersion: number }[] = [];
    const datapoints: Datapoint[] = [];
    const indexedRows: PublishedRow[] = [];
    let invalid = 0;
    for (const document of documents.values()) {
      const version = versionToWrite(document, held.get(document.documentId));
      if (version === 'skip') continue;
      repaired.push(document.documentId);
      if (version !== null) versions.push({ documentId: document.documentId, documentVersion: version });
      for (const row of document.rows) {
        const datapoint = datapointOrNull(row, deps.dimensions);
        if (datapoint) {
          datapoints.push(datapoint);
          indexedRows.push(row);
        } else invalid += 1;
      }
    }
    const keep = new Set(datapoints.map((d) => d.datapointId));
    const known = new Set([...(await ledgerIdsOfDocuments(client, repaired)), ...(await chatIdsOfDocuments(client, repaired))]);
    const removals = [...known].filter((id) => !keep.has(id));
    await upsertInChunks(index, datapoints);
    await removeInChunks(index, removals);
    await recordLedgerWrites(client, indexedRows);
    await recordLedgerRemovals(client, removals);
    await recordDocumentVersions(client, SINK, versions);
    return {
      documents: repaired.length,
      skipped: documentIds.length - repaired.length,
      written: datapoints.length + removals.length,
      removed: removals.length,
      invalid,
    };
  });
}

/** The row's datapoint, or null when its embedding cannot be indexed (reported by checks as invalid). */
function datapointOrNull(row: PublishedRow, dimensions: number): Datapoint | null {
  try {
    return toDatapoint(row, { dimensions });
  } catch (error) {
    if (error instanceof InvalidDatapointError) return null;
    throw error;
  }
}

/** Chat's ids of the documents: the old job wrote a datapoint for each, so a repair removes those RAG lacks. */
async function chatIdsOfDocuments(client: pg.ClientBase, documentIds: readonly string[]): Promise<string[]> {
  if (documentIds.length === 0) return [];
  const result = await client.query<{ id: string }>('SELECT id::text AS id FROM published_rag_metadata WHERE document_id = ANY($1::uuid[])', [
    documentIds,
  ]);
  return result.rows.map((row) => row.id);
}

async function upsertInChunks(index: VectorIndex, datapoints: readonly Datapoint[]): Promise<void> {
  for (let start = 0; start < datapoints.length; start += RECONCILE_DEFAULTS.upsertBatch) {
    await index.upsertDatapoints(datapoints.slice(start, start + RECONCILE_DEFAULTS.upsertBatch));
  }
}

async function removeInChunks(index: VectorIndex, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += RECONCILE_DEFAULTS.upsertBatch) {
    await index.removeDatapoints(ids.slice(start, start + RECONCILE_DEFAULTS.upsertBatch));
  }
}
