import { readAhead, type Logger } from '@mobius/service';
import {
  martUpdatedTrigger,
  recordLedgerRemovals,
  recordLedgerWrites,
  runSink,
  type SinkDefinition,
  type SinkOutcome,
  type SinkStore,
  type SinkTransaction,
  type TriggerMessage,
} from '@mobius/sink-state';
import type { VectorIndex } from '@mobius/vector-index';
import type { MartChange, Warehouse } from '@mobius/warehouse';
import { indexChangesOf, type InvalidRow } from './index-changes.ts';

/** Every default of the handler, in one place. */
export const APPLY_MART_RUNS_DEFAULTS = {
  /** Mart rows per read page. */
  batchSize: 500,
  /**
   * Datapoints per upsertDatapoints or removeDatapoints call of the port: a whole page, which the
   * Vertex adapter splits into bounded requests and sends two at a time (VERTEX_ADAPTER_DEFAULTS).
   */
  indexBatchSize: 500,
} as const;

export interface ApplyMartRunsDeps {
  warehouse: Pick<Warehouse, 'latestMartRunId' | 'readMartChanges'>;
  store: SinkStore;
  index: VectorIndex;
  /** The index's embedding length (EMBEDDING_DIMENSIONS); a row with another length is skipped as invalid. */
  dimensions: number;
  logger: Logger;
  /** Counts live rows skipped for an unusable embedding, by reason code (the `invalid` metric); optional. */
  invalidRows?: { inc(labels: { reason: string }): void };
  batchSize?: number;
  indexBatchSize?: number;
}

/** What one run wrote to the index. */
type IndexCounts = {
  datapointsUpserted: number;
  datapointsRemoved: number;
  /** Live rows skipped for an unusable embedding (logged with the outcome, not part of it). */
  invalidRows: number;
};

/** What one call did (the sink runner's outcome) in datapoints. */
export type ApplyOutcome = SinkOutcome<{ datapointsUpserted: number; datapointsRemoved: number }>;

export type { TriggerMessage };

/**
 * vertex-sync as a sink (docs/sinks.md). Each page: the version guard drops changes older than the
 * version vertex-sync holds for their document, then a datapoint is upserted for every live row and
 * every tombstoned id is removed, in bounded calls; the ledger (docs/reconcile.md) records what the
 * index now holds, in the run's transaction, so it commits with the versions and watermark only after
 * every index call succeeded. A crash in between re-applies the same upserts and removes next time,
 * which is idempotent. A live row whose embedding cannot be a datapoint (missing, wrong length, not
 * finite) is skipped, its id removed from the index, counted (`invalidRows`) and logged at warn; the
 * rest of its document and of the run goes on. The next page is read while this one goes to the index.
 */
function vertexSink(deps: ApplyMartRunsDeps): SinkDefinition<IndexCounts, Omit<IndexCounts, 'invalidRows'>> {
  return {
    name: 'vertex-sync',
    pages: readAhead,
    counts: () => ({ datapointsUpserted: 0, datapointsRemoved: 0, invalidRows: 0 }),
    applyBatch: (tx, batch, counts) => applyBatch(deps, tx, batch, counts),
    // Upserts already sent stay in the index (idempotent); on failure the count says how far the run got.
    syncRunCounts: (counts) => ({ postgresRowsWritten: null, vectorRowsUpserted: counts.datapointsUpserted }),
    report: ({ datapointsUpserted, datapointsRemoved }) => ({ datapointsUpserted, datapointsRemoved }),
    failureCode: 'VERTEX_SYNC_FAILED',
  };
}

/** One page: every datapoint is built (and checked) before the first index call of the page. */
async function applyBatch(deps: ApplyMartRunsDeps, tx: SinkTransaction, batch: MartChange[], counts: IndexCounts): Promise<void> {
  const current = await tx.withoutOlderVersions(batch);
  const { datapoints, removals, invalid } = indexChangesOf(current, deps.dimensions);
  reportInvalid(deps, invalid, counts);
  const size = deps.indexBatchSize ?? APPLY_MART_RUNS_DEFAULTS.indexBatchSize;
  for (let start = 0; start < datapoints.length; start += size) {
    const chunk = datapoints.slice(start, start + size);
    await deps.index.upsertDatapoints(chunk);
    counts.datapointsUpserted += chunk.length;
  }
  for (let start = 0; start < removals.length; start += size) {
    const chunk = removals.slice(start, start + size);
    await deps.index.removeDatapoints(chunk);
    counts.datapointsRemoved += chunk.length;
  }
  // The ledger (docs/reconcile.md) records what the index now holds, committed with the versions.
  const written = new Set(datapoints.map((datapoint) => datapoint.datapointId));
  const writtenRows = current.filter((change) => !change.deleted && written.has(change.row.id.toLowerCase())).map((change) => change.row);
  await recordLedgerWrites(tx.client, writtenRows);
  await recordLedgerRemovals(tx.client, removals);
  tx.delivered(writtenRows.map((row) => ({ row })));
}

/** Counts and logs the rows a page skipped for their embedding. */
function reportInvalid(deps: ApplyMartRunsDeps, invalid: readonly InvalidRow[], counts: IndexCounts): void {
  counts.invalidRows += invalid.length;
  for (const row of invalid) {
    deps.invalidRows?.inc({ reason: row.code });
    deps.logger.warn(
      { datapointId: row.id, documentId: row.documentId, code: row.code, reason: row.reason },
      'vertex-sync skipped a row whose embedding cannot be a datapoint (its metadata still reaches Chat)',
    );
  }
}

/**
 * Brings the vector index up to the warehouse's latest mart run, under vertex-sync's advisory lock on
 * the Chat database (the sink runner: watermark, versions, sync_runs, failures). On failure a `failure`
 * row is recorded and the error is rethrown (an index that refuses a call stops the sink with that reason).
 */
export function applyMartRuns(deps: ApplyMartRunsDeps): Promise<ApplyOutcome> {
  return runSink(vertexSink(deps), deps);
}

/**
 * The warehouse.mart_updated handler: the event is only a trigger. It is validated (a schema-invalid
 * message throws InvalidEventError, not retryable, so it is dead-lettered at once), then everything
 * vertex-sync has not applied yet is applied, whichever run the event names.
 */
export function handleMartUpdated(deps: ApplyMartRunsDeps): (message: TriggerMessage) => Promise<ApplyOutcome> {
  return martUpdatedTrigger(() => applyMartRuns(deps), deps.logger);
}
