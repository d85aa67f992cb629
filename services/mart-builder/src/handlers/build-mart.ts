import type { MartUpdated } from '@mobius/contracts';
import type { Logger } from '@mobius/service';
import type { Warehouse } from '@mobius/warehouse';

export interface BuildMartDeps {
  warehouse: Warehouse;
  /** Announces a committed run on warehouse.mart_updated (message id `mart-run-<id>`, deduplicated). */
  announce: (event: MartUpdated) => Promise<void>;
  logger: Logger;
}

/**
 * Handles any landing_ingested trigger: merges every landing batch not yet merged (the warehouse
 * serializes merges, so concurrent triggers coalesce into one run and the others find nothing), then
 * announces the latest run. Announcing the latest run even when this call merged nothing heals a
 * crash between a merge's commit and its announcement: the next trigger re-announces it, and the
 * bus drops the duplicate by message id when it was sent after all.
 */
export async function buildMart(deps: BuildMartDeps): Promise<void> {
  const run = await deps.warehouse.mergePendingBatches();
  if (run) {
    deps.logger.info(
      { runId: run.runId, batches: run.batchesMerged, upserted: run.rowsUpserted, tombstoned: run.rowsTombstoned },
      'mart run committed',
    );
  }
  const latest = run?.runId ?? (await deps.warehouse.latestMartRunId());
  if (latest === 0) return;
  await deps.announce({
    run_id: latest,
    documents: run?.documents ?? 0,
    rows_upserted: run?.rowsUpserted ?? 0,
    rows_tombstoned: run?.rowsTombstoned ?? 0,
  });
}
