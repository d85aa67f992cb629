import { EVENTS, decodeEvent } from '@mobius/contracts';
import { readAhead, type Logger } from '@mobius/service';
import type { VectorIndex } from '@mobius/vector-index';
import type { MartChange, Warehouse } from '@mobius/warehouse';
import { describeError, toSinkError } from '../errors.ts';
import type { SinkStore, VertexSyncTransaction } from '../sink-store.ts';
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

/** What one call did. `up-to-date`: the watermark had already reached the latest run; nothing written. */
export interface ApplyOutcome {
  status: 'applied' | 'up-to-date';
  /** The watermark before (exclusive) and after (inclusive) this call. */
  fromRunId: number;
  toRunId: number;
  martRowsRead: number;
  datapointsUpserted: number;
  datapointsRemoved: number;
}

/** A received message, as much as this handler needs of it (the bus's Message fits). */
export interface TriggerMessage {
  data: Uint8Array;
  attributes: Record<string, string>;
}

interface Progress {
  latest: number | null;
  read: number;
  upserted: number;
  removed: number;
  /** Live rows skipped for an unusable embedding. */
  invalid: number;
}

/**
 * Brings the vector index up to the warehouse's latest mart run. Under vertex-sync's advisory lock on
 * the Chat database (one instance at a time): reads the watermark, streams the mart changes of
 * (watermark, latest], upserts a datapoint for every live row and removes every tombstoned id, in
 * bounded calls, skipping changes older than the version vertex-sync holds for their document; then,
 * only after every index call succeeded, commits the versions, the watermark and a `success` sync_runs
 * row. A crash in between re-applies the same upserts and removes next time, which is idempotent.
 * A live row whose embedding cannot be a datapoint (missing, wrong length, not finite) is skipped,
 * its id removed from the index, counted (`invalidRows`) and logged at warn; the rest of its document
 * and of the run goes on. On failure a `failure` row is recorded in its own transaction and the error
 * is rethrown (an index that refuses a call stops the sink with that reason).
 */
export async function applyMartRuns(deps: ApplyMartRunsDeps): Promise<ApplyOutcome> {
  const startedAt = new Date();
  const progress: Progress = { latest: null, read: 0, upserted: 0, removed: 0, invalid: 0 };
  try {
    const outcome = await deps.store.withSinkLock(async (tx) => {
      const watermark = await tx.watermark();
      const latest = await deps.warehouse.latestMartRunId();
      progress.latest = latest;
      if (watermark >= latest) return outcomeOf('up-to-date', watermark, watermark, progress);
      const batchSize = deps.batchSize ?? APPLY_MART_RUNS_DEFAULTS.batchSize;
      // The next page is read while this one goes to the index.
      for await (const batch of readAhead(deps.warehouse.readMartChanges(watermark, latest, batchSize))) {
        progress.read += batch.length;
        await applyBatch(deps, tx, batch, progress);
      }
      const run = { startedAt, finishedAt: new Date(), martRowsRead: progress.read, vectorRowsUpserted: progress.upserted };
      await tx.finishRun({ ...run, martRunId: latest });
      return outcomeOf('applied', watermark, latest, progress);
    });
    if (outcome.status === 'applied') deps.logger.info({ ...outcome, invalidRows: progress.invalid }, 'vertex-sync applied mart runs');
    return outcome;
  } catch (error) {
    await recordFailure(deps, startedAt, progress, error);
    throw toSinkError(error);
  }
}

/** One page: every datapoint is built (and checked) before the first index call of the page. */
async function applyBatch(deps: ApplyMartRunsDeps, tx: VertexSyncTransaction, batch: MartChange[], progress: Progress): Promise<void> {
  const current = await tx.withoutOlderVersions(batch);
  const { datapoints, removals, invalid } = indexChangesOf(current, deps.dimensions);
  reportInvalid(deps, invalid, progress);
  const size = deps.indexBatchSize ?? APPLY_MART_RUNS_DEFAULTS.indexBatchSize;
  for (let start = 0; start < datapoints.length; start += size) {
    const chunk = datapoints.slice(start, start + size);
    await deps.index.upsertDatapoints(chunk);
    progress.upserted += chunk.length;
  }
  for (let start = 0; start < removals.length; start += size) {
    const chunk = removals.slice(start, start + size);
    await deps.index.removeDatapoints(chunk);
    progress.removed += chunk.length;
  }
  // The ledger (docs/reconcile.md) records what the index now holds, committed with the versions.
  const written = new Set(datapoints.map((datapoint) => datapoint.datapointId));
  const writtenRows = current.filter((change) => !change.deleted && written.has(change.row.id.toLowerCase())).map((change) => change.row);
  await tx.recordLedger(writtenRows, removals);
  await tx.recordVersions(batch);
}

/** Counts and logs the rows a page skipped for their embedding. */
function reportInvalid(deps: ApplyMartRunsDeps, invalid: readonly InvalidRow[], progress: Progress): void {
  progress.invalid += invalid.length;
  for (const row of invalid) {
    deps.invalidRows?.inc({ reason: row.code });
    deps.logger.warn(
      { datapointId: row.id, documentId: row.documentId, code: row.code, reason: row.reason },
      'vertex-sync skipped a row whose embedding cannot be a datapoint (its metadata still reaches Chat)',
    );
  }
}

function outcomeOf(status: ApplyOutcome['status'], fromRunId: number, toRunId: number, progress: Progress): ApplyOutcome {
  return {
    status,
    fromRunId,
    toRunId,
    martRowsRead: progress.read,
    datapointsUpserted: progress.upserted,
    datapointsRemoved: progress.removed,
  };
}

async function recordFailure(deps: ApplyMartRunsDeps, startedAt: Date, progress: Progress, error: unknown): Promise<void> {
  deps.logger.error({ err: error, martRunId: progress.latest, martRowsRead: progress.read }, 'vertex-sync run failed');
  try {
    await deps.store.recordFailedRun({
      startedAt,
      finishedAt: new Date(),
      martRowsRead: progress.read,
      // Upserts already sent stay in the index (idempotent); the count says how far the run got.
      vectorRowsUpserted: progress.upserted,
      martRunId: progress.latest,
      errorMessage: describeError(error),
    });
  } catch (recordError) {
    deps.logger.error({ err: recordError }, 'could not record the failed vertex-sync run in sync_runs');
  }
}

/**
 * The warehouse.mart_updated handler: the event is only a trigger. It is validated (a schema-invalid
 * message throws InvalidEventError, not retryable, so it is dead-lettered at once), then everything
 * vertex-sync has not applied yet is applied, whichever run the event names.
 */
export function handleMartUpdated(deps: ApplyMartRunsDeps): (message: TriggerMessage) => Promise<ApplyOutcome> {
  return async (message) => {
    const event = decodeEvent(EVENTS.martUpdated, message);
    deps.logger.debug({ runId: event.run_id }, 'mart_updated received');
    return applyMartRuns(deps);
  };
}
