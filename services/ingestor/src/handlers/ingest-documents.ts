import type { LandedBatch, SnapshotToLand, Warehouse } from '@mobius/warehouse';
import type { ItemOutcome, Logger } from '@mobius/service';

/** Opens documents' current snapshots in one consistent read of RAG (see rag-snapshot-source.ts). */
export interface SnapshotSource {
  open(documentIds: string[]): Promise<{
    snapshots: SnapshotToLand[];
    missing: string[];
    close(failed: boolean): Promise<void>;
  }>;
}

export interface IngestDeps {
  source: SnapshotSource;
  warehouse: Warehouse;
  /** Announces landed batches on warehouse.landing_ingested. */
  announce: (batches: LandedBatch[]) => Promise<void>;
  logger: Logger;
}

function isNonRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown }).retryable === false;
}

/** Lands the current snapshots of `documentIds` in one warehouse write, then announces them. */
async function landTogether(deps: IngestDeps, documentIds: string[]): Promise<void> {
  const opened = await deps.source.open(documentIds);
  let landed: LandedBatch[];
  try {
    landed = await deps.warehouse.landSnapshots(opened.snapshots);
  } catch (error) {
    await opened.close(true);
    throw error;
  }
  await opened.close(false);
  for (const documentId of opened.missing) {
    deps.logger.warn({ documentId }, 'document has no publish events left (deleted by the existing app); reconciliation removes it');
  }
  if (landed.length > 0) await deps.announce(landed);
  const rows = landed.reduce((sum, batch) => sum + batch.rowCount, 0);
  deps.logger.info({ documents: landed.length, rows }, 'landed document snapshots');
}

/**
 * Lands the documents named by a burst of publish events. Events are triggers: each document's CURRENT
 * snapshot is read, so several events for one document land it once. When the joint write fails for a
 * non-retryable reason (one document's rows are bad), each document is landed alone so only the bad
 * one's messages fail (and are dead-lettered) while the rest flow.
 */
export async function ingestDocuments(deps: IngestDeps, documentIds: string[]): Promise<ItemOutcome[]> {
  const distinct = [...new Set(documentIds)];
  try {
    await landTogether(deps, distinct);
    return documentIds.map(() => ({ ok: true }));
  } catch (error) {
    if (distinct.length === 1 || !isNonRetryable(error)) return documentIds.map(() => ({ ok: false, error }));
  }
  const outcomes = new Map<string, ItemOutcome>();
  for (const documentId of distinct) {
    try {
      await landTogether(deps, [documentId]);
      outcomes.set(documentId, { ok: true });
    } catch (error) {
      outcomes.set(documentId, { ok: false, error });
    }
  }
  return documentIds.map((id) => outcomes.get(id)!);
}
