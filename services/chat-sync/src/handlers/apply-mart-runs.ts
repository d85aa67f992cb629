import { EVENTS, decodeEvent } from '@mobius/contracts';
import type { Logger } from '@mobius/service';
import type { Warehouse } from '@mobius/warehouse';
import type { ChatStore } from '../chat-store.ts';
import { describeError, toSinkError } from '../errors.ts';

/** Every default of the handler, in one place. */
export const APPLY_MART_RUNS_DEFAULTS = {
  /** Mart rows per read page, and so per set-based write. */
  batchSize: 500,
} as const;

export interface ApplyMartRunsDeps {
  warehouse: Pick<Warehouse, 'latestMartRunId' | 'readMartChanges'>;
  store: ChatStore;
  logger: Logger;
  batchSize?: number;
}

/** What one call did. `up-to-date`: the watermark had already reached the latest run; nothing written. */
export interface ApplyOutcome {
  status: 'applied' | 'up-to-date';
  /** The watermark before (exclusive) and after (inclusive) this call. */
  fromRunId: number;
  toRunId: number;
  martRowsRead: number;
  /** Chat rows inserted, updated or deleted. */
  rowsWritten: number;
}

/** A received message, as much as this handler needs of it (the bus's Message fits). */
export interface TriggerMessage {
  data: Uint8Array;
  attributes: Record<string, string>;
}

/**
 * Brings Chat's published_rag_metadata up to the warehouse's latest mart run. Under chat-sync's
 * advisory lock on the Chat database (one instance at a time), in ONE transaction: reads the
 * watermark, streams the mart changes of (watermark, latest], writes them set-based per batch with the
 * version guard, moves the watermark to latest and records a `success` sync_runs row. On failure
 * everything is rolled back, a `failure` row is recorded in its own transaction, and the error is
 * rethrown (retryable unless it says otherwise). After a commit that wrote rows, chat's
 * published_rag_documents view is refreshed, best effort.
 */
export async function applyMartRuns(deps: ApplyMartRunsDeps): Promise<ApplyOutcome> {
  const batchSize = deps.batchSize ?? APPLY_MART_RUNS_DEFAULTS.batchSize;
  const startedAt = new Date();
  const progress = { latest: null as number | null, read: 0 };
  let outcome: ApplyOutcome;
  try {
    outcome = await deps.store.withSinkLock(async (tx) => {
      const watermark = await tx.watermark();
      const latest = await deps.warehouse.latestMartRunId();
      progress.latest = latest;
      if (watermark >= latest) {
        return { status: 'up-to-date', fromRunId: watermark, toRunId: watermark, martRowsRead: 0, rowsWritten: 0 } as const;
      }
      let rowsWritten = 0;
      // Chat holds no embedding (28 of the 29 columns): not reading it spares the warehouse most of each row.
      for await (const batch of deps.warehouse.readMartChanges(watermark, latest, batchSize, { embedding: false })) {
        progress.read += batch.length;
        rowsWritten += await tx.applyChanges(batch);
      }
      await tx.finishRun({
        startedAt,
        finishedAt: new Date(),
        martRowsRead: progress.read,
        postgresRowsWritten: rowsWritten,
        martRunId: latest,
      });
      return { status: 'applied', fromRunId: watermark, toRunId: latest, martRowsRead: progress.read, rowsWritten } as const;
    });
  } catch (error) {
    await recordFailure(deps, startedAt, progress, error);
    throw toSinkError(error);
  }
  if (outcome.status === 'applied') {
    deps.logger.info(outcome, 'chat-sync applied mart runs');
    if (outcome.rowsWritten > 0) await refreshDocumentsView(deps);
  }
  return outcome;
}

async function recordFailure(
  deps: ApplyMartRunsDeps,
  startedAt: Date,
  progress: { latest: number | null; read: number },
  error: unknown,
): Promise<void> {
  const errorMessage = describeError(error);
  deps.logger.error({ err: error, martRunId: progress.latest, martRowsRead: progress.read }, 'chat-sync run failed; rolled back');
  try {
    await deps.store.recordFailedRun({
      startedAt,
      finishedAt: new Date(),
      martRowsRead: progress.read,
      postgresRowsWritten: 0,
      martRunId: progress.latest,
      errorMessage,
    });
  } catch (recordError) {
    deps.logger.error({ err: recordError }, 'could not record the failed chat-sync run in sync_runs');
  }
}

async function refreshDocumentsView(deps: ApplyMartRunsDeps): Promise<void> {
  try {
    await deps.store.refreshDocumentsView();
  } catch (error) {
    // The rows are committed; the doc-grain view catches up on the next refresh.
    deps.logger.warn({ err: error }, 'could not refresh published_rag_documents');
  }
}

/**
 * The warehouse.mart_updated handler: the event is only a trigger. It is validated (a schema-invalid
 * message throws InvalidEventError, not retryable, so it is dead-lettered at once), then everything
 * chat-sync has not applied yet is applied, whichever run the event names.
 */
export function handleMartUpdated(deps: ApplyMartRunsDeps): (message: TriggerMessage) => Promise<ApplyOutcome> {
  return async (message) => {
    const event = decodeEvent(EVENTS.martUpdated, message);
    deps.logger.debug({ runId: event.run_id }, 'mart_updated received');
    return applyMartRuns(deps);
  };
}
