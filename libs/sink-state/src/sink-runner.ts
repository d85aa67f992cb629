import { EVENTS, MobiusError, decodeEvent } from '@mobius/contracts';
import type { MartChange, Warehouse } from '@mobius/warehouse';
import type { SinkRunRecord, SinkStore, SinkTransaction } from './sink-store.ts';

/**
 * The sink runner (docs/sinks.md): what every sink of the mart does the same way. A sink is its store
 * (where it writes) and `applyBatch` (how one page of mart changes reaches it); the runner owns the
 * rest: the advisory lock, the watermark, the version bookkeeping, the sync_runs rows, failures.
 */

/** Every default of the runner, in one place. */
export const SINK_RUNNER_DEFAULTS = {
  /** Mart rows per read page. */
  batchSize: 500,
} as const;

/** The counts a sink keeps over one run (rows written, datapoints upserted ...). */
export type SinkCounts = Record<string, number>;

/** One sink: its name, how it reads the mart, and how a page of changes reaches its target. */
export interface SinkDefinition<C extends SinkCounts, O extends object> {
  /** Its name in logs (and, through its store, in Chat's state tables). */
  name: string;
  /** Read each row's embedding (default true); a sink without vectors spares the warehouse the column. */
  readEmbeddings?: boolean;
  /**
   * Wraps the page stream, e.g. with readAhead (@mobius/service) so the next page is read while this
   * one is written to a remote target. Default: pages one after the other.
   */
  pages?(pages: AsyncIterable<MartChange[]>): AsyncIterable<MartChange[]>;
  /** The counts of a run that has not written anything yet. */
  counts(): C;
  /**
   * Applies one page inside the run's transaction (under the sink's lock) and adds to `counts`. The
   * runner then records the page's document versions; `tx.withoutOlderVersions` is the version guard
   * and `tx.delivered` names the rows for the freshness samples.
   */
  applyBatch(tx: SinkTransaction, batch: MartChange[], counts: C): Promise<void>;
  /** The sync_runs columns of a run that reached (`success`) or did not reach (`failure`) its end. */
  syncRunCounts(counts: C, status: 'success' | 'failure'): Pick<SinkRunRecord, 'postgresRowsWritten' | 'vectorRowsUpserted'>;
  /** What the outcome says besides the run ids and the rows read. */
  report(counts: C): O;
  /** The code of the retryable SinkFailedError a failure without its own `retryable` becomes (`CHAT_SYNC_FAILED`). */
  failureCode: string;
  /** Runs after a commit that applied runs, outside the transaction (best effort is the sink's to say). */
  afterCommit?(outcome: SinkOutcome<O>, counts: C): Promise<void>;
}

/** What one call did. `up-to-date`: the watermark had already reached the latest run; nothing written. */
export type SinkOutcome<O extends object> = {
  status: 'applied' | 'up-to-date';
  /** The watermark before (exclusive) and after (inclusive) this call. */
  fromRunId: number;
  toRunId: number;
  martRowsRead: number;
} & O;

/** What a run needs besides its sink. */
export interface SinkRunDeps {
  warehouse: Pick<Warehouse, 'latestMartRunId' | 'readMartChanges'>;
  store: SinkStore;
  logger: SinkLogger;
  /** Mart rows per read page; default SINK_RUNNER_DEFAULTS.batchSize. */
  batchSize?: number;
}

/**
 * A sink run that failed for a reason that does not say whether a retry helps (a Postgres error on
 * Chat, an index failure without a code): retryable, under the sink's own code.
 */
export class SinkFailedError extends MobiusError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, true, options);
  }
}

/** The logger calls the runner makes (pino's fit). */
export interface SinkLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** A one-line description for logs and sync_runs.error_message (with the Postgres code when there is one). */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/**
 * Brings the sink up to the warehouse's latest mart run. Under the sink's advisory lock on the Chat
 * database (one instance at a time), in ONE transaction: reads the watermark, streams the mart changes
 * of (watermark, latest], hands each page to `applyBatch` and records its document versions, then
 * moves the watermark to latest and records a `success` sync_runs row with the freshness samples.
 * Errors that say whether they are retryable (the warehouse's, InvalidEventError, SinkBusyError) pass
 * through; anything else becomes the sink's retryable error. On failure the transaction is rolled
 * back (what a remote target already took stays: applying it again is idempotent), a `failure` row
 * is recorded in its own transaction, and the error is rethrown.
 */
export async function runSink<C extends SinkCounts, O extends object>(sink: SinkDefinition<C, O>, deps: SinkRunDeps): Promise<SinkOutcome<O>> {
  const startedAt = new Date();
  const counts = sink.counts();
  const progress = { latest: null as number | null, read: 0 };
  const outcomeOf = (status: 'applied' | 'up-to-date', fromRunId: number, toRunId: number): SinkOutcome<O> =>
    ({ status, fromRunId, toRunId, martRowsRead: progress.read, ...sink.report(counts) }) as SinkOutcome<O>;
  let outcome: SinkOutcome<O>;
  try {
    outcome = await deps.store.withSinkLock(async (tx) => {
      const watermark = await tx.watermark();
      const latest = await deps.warehouse.latestMartRunId();
      progress.latest = latest;
      if (watermark >= latest) return outcomeOf('up-to-date', watermark, watermark);
      const batchSize = deps.batchSize ?? SINK_RUNNER_DEFAULTS.batchSize;
      const read = deps.warehouse.readMartChanges(watermark, latest, batchSize, sink.readEmbeddings === false ? { embedding: false } : undefined);
      for await (const batch of sink.pages ? sink.pages(read) : read) {
        progress.read += batch.length;
        await sink.applyBatch(tx, batch, counts);
        await tx.recordVersions(batch);
      }
      await tx.finishRun({
        startedAt,
        finishedAt: new Date(),
        martRowsRead: progress.read,
        martRunId: latest,
        errorMessage: null,
        ...sink.syncRunCounts(counts, 'success'),
      });
      return outcomeOf('applied', watermark, latest);
    });
  } catch (error) {
    await recordFailure(sink, deps, { startedAt, ...progress, counts }, error);
    if (error instanceof Error && typeof (error as { retryable?: unknown }).retryable === 'boolean') throw error;
    throw new SinkFailedError(sink.failureCode, `${sink.name} run failed: ${describeError(error)}`, { cause: error });
  }
  if (outcome.status === 'applied') {
    deps.logger.info({ ...outcome, ...counts }, `${sink.name} applied mart runs`);
    await sink.afterCommit?.(outcome, counts);
  }
  return outcome;
}

async function recordFailure<C extends SinkCounts, O extends object>(
  sink: SinkDefinition<C, O>,
  deps: SinkRunDeps,
  run: { startedAt: Date; latest: number | null; read: number; counts: C },
  error: unknown,
): Promise<void> {
  deps.logger.error({ err: error, martRunId: run.latest, martRowsRead: run.read }, `${sink.name} run failed; its transaction is rolled back`);
  try {
    await deps.store.recordFailedRun({
      startedAt: run.startedAt,
      finishedAt: new Date(),
      martRowsRead: run.read,
      martRunId: run.latest,
      errorMessage: describeError(error),
      ...sink.syncRunCounts(run.counts, 'failure'),
    });
  } catch (recordError) {
    deps.logger.error({ err: recordError }, `could not record the failed ${sink.name} run in sync_runs`);
  }
}

/** A received message, as much as a trigger handler needs of it (the bus's Message fits). */
export interface TriggerMessage {
  data: Uint8Array;
  attributes: Record<string, string>;
}

/**
 * The warehouse.mart_updated handler of a sink: the event is only a trigger. It is validated (a
 * schema-invalid message throws InvalidEventError, not retryable, so it is dead-lettered at once),
 * then `apply` applies everything the sink has not applied yet, whichever run the event names.
 */
export function martUpdatedTrigger<R>(apply: () => Promise<R>, logger: Pick<SinkLogger, 'debug'>): (message: TriggerMessage) => Promise<R> {
  return async (message) => {
    const event = decodeEvent(EVENTS.martUpdated, message);
    logger.debug({ runId: event.run_id }, 'mart_updated received');
    return apply();
  };
}
