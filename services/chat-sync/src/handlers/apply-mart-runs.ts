import {
  deleteChatRows,
  martUpdatedTrigger,
  runSink,
  upsertChatRows,
  type SinkDefinition,
  type SinkOutcome,
  type SinkRunDeps,
  type TriggerMessage,
} from '@mobius/sink-state';
import type { Logger } from '@mobius/service';
import type { Warehouse } from '@mobius/warehouse';
import type { ChatStore } from '../chat-store.ts';

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

/** What one call did (the sink runner's outcome); `rowsWritten`: Chat rows inserted, updated or deleted. */
export type ApplyOutcome = SinkOutcome<{ rowsWritten: number }>;

export type { TriggerMessage };

/**
 * chat-sync as a sink (docs/sinks.md): each page of mart changes is written to Chat's
 * published_rag_metadata in at most three set-based statements, in the run's transaction: upserts of
 * the live rows' 28 columns (a row whose 28 columns are all equal is not rewritten), deletes of the
 * tombstoned ids, then (by the runner) the document versions. The version guard is in the two
 * statements: a change whose document chat-sync holds at a HIGHER version is skipped. After a commit
 * that wrote rows, chat's published_rag_documents view is refreshed, best effort.
 */
function chatSink(deps: ApplyMartRunsDeps): SinkDefinition<{ rowsWritten: number }, { rowsWritten: number }> {
  return {
    name: 'chat-sync',
    // Chat holds no embedding (28 of the 29 columns): not reading it spares the warehouse most of each row.
    readEmbeddings: false,
    counts: () => ({ rowsWritten: 0 }),
    async applyBatch(tx, batch, counts) {
      // Both statements guard against the versions as they were BEFORE this batch; the versions move after.
      counts.rowsWritten +=
        (await upsertChatRows(
          tx.client,
          tx.sink,
          batch.filter((change) => !change.deleted),
        )) +
        (await deleteChatRows(
          tx.client,
          tx.sink,
          batch.filter((change) => change.deleted),
        ));
      tx.delivered(batch);
    },
    syncRunCounts: (counts, status) => ({ postgresRowsWritten: status === 'success' ? counts.rowsWritten : 0, vectorRowsUpserted: null }),
    report: (counts) => ({ rowsWritten: counts.rowsWritten }),
    failureCode: 'CHAT_SYNC_FAILED',
    async afterCommit(outcome) {
      if (outcome.rowsWritten === 0) return;
      try {
        await deps.store.refreshDocumentsView();
      } catch (error) {
        // The rows are committed; the doc-grain view catches up on the next refresh.
        deps.logger.warn({ err: error }, 'could not refresh published_rag_documents');
      }
    },
  };
}

/**
 * Brings Chat's published_rag_metadata up to the warehouse's latest mart run, in ONE transaction
 * under chat-sync's advisory lock (the sink runner: watermark, sync_runs, failures). On failure
 * everything is rolled back, a `failure` row is recorded, and the error is rethrown (retryable unless
 * it says otherwise; CHAT_SYNC_FAILED for a Postgres error on Chat).
 */
export function applyMartRuns(deps: ApplyMartRunsDeps): Promise<ApplyOutcome> {
  return runSink(chatSink(deps), deps satisfies SinkRunDeps);
}

/**
 * The warehouse.mart_updated handler: the event is only a trigger. It is validated (a schema-invalid
 * message throws InvalidEventError, not retryable, so it is dead-lettered at once), then everything
 * chat-sync has not applied yet is applied, whichever run the event names.
 */
export function handleMartUpdated(deps: ApplyMartRunsDeps): (message: TriggerMessage) => Promise<ApplyOutcome> {
  return martUpdatedTrigger(() => applyMartRuns(deps), deps.logger);
}
