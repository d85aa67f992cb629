import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { BigQuery } from '@google-cloud/bigquery';
import { InvalidArgumentError, WarehouseClosedError } from '../errors.ts';
import type { LandedBatch, MartChange, MartRun, ReadMartChangesOptions, SnapshotToLand, Warehouse } from '../types.ts';
import { toWarehouseError } from './bigquery/bigquery-errors.ts';
import { latestMartRunId, readMartChanges, type ReadContext } from './bigquery/changes.ts';
import { createBigQueryClient } from './bigquery/client.ts';
import type { JobOptions } from './bigquery/jobs.ts';
import { landSnapshots, type LandingContext } from './bigquery/landing.ts';
import { mergePendingBatches, type MergeContext } from './bigquery/merge.ts';
import { migrateSchema, type SchemaMigration } from './bigquery/schema.ts';
import { recordSyncRun, type SyncRunLog, type SyncRunRecord } from './bigquery/sync-runs.ts';
import type { Datasets } from './bigquery/tables.ts';

/** A warehouse whose schema `mobius migrate` plans and applies itself (the BigQuery one). */
export interface SchemaMigrator {
  migrateSchema(options: { dryRun: boolean }): Promise<SchemaMigration>;
}

/** Tuning knobs, each documented and defaulted in BIGQUERY_WAREHOUSE_DEFAULTS. */
export interface BigQueryTuning {
  insertChunkRows?: number;
  insertChunkBytes?: number;
  insertAttempts?: number;
  retryBackoffMs?: number;
  apiRetries?: number;
  jobPollMs?: number;
  jobPollMaxMs?: number;
  jobTimeoutMs?: number;
  resultPageRows?: number;
  mergeConflictAttempts?: number;
  mergeConflictBackoffMs?: number;
  mergeConflictBackoffMaxMs?: number;
  dedupWindowMinutes?: number;
}

export interface BigQueryWarehouseOptions extends BigQueryTuning {
  /** `BQ_PROJECT`: the project of the datasets and of the jobs. */
  projectId: string;
  /** `BQ_DATASET`: the mart dataset. */
  dataset?: string;
  /** `BQ_LANDING_DATASET`: the landing dataset. */
  landingDataset?: string;
  /** `BQ_LOCATION`: where datasets are created and jobs run; BigQuery's default when absent. */
  location?: string;
  /** `BQ_API_ENDPOINT`: an endpoint override (test double, emulator); its requests carry no credentials. */
  apiEndpoint?: string;
  /** Length every landed embedding must have (`EMBEDDING_DIMENSIONS`). */
  embeddingDimensions?: number;
}

/** Every default of the adapter, in one place. */
export const BIGQUERY_WAREHOUSE_DEFAULTS = {
  dataset: 'mobius_rag',
  landingDataset: 'landing_rag',
  embeddingDimensions: 1536,
  /** BigQuery recommends at most 500 rows per insertAll request... */
  insertChunkRows: 500,
  /** ...and takes at most 10 MB; a 1536-float row is about 30 kB of JSON. */
  insertChunkBytes: 8 * 1024 * 1024,
  /** Tries of rows a partial insert failure left out, the first included. */
  insertAttempts: 5,
  retryBackoffMs: 200,
  /** Retries of a failed HTTP request by the client library itself (5xx, 429, network). */
  apiRetries: 3,
  jobPollMs: 100,
  jobPollMaxMs: 2_000,
  jobTimeoutMs: 10 * 60_000,
  resultPageRows: 1_000,
  /** Tries of a merge cancelled by a concurrent one; about a minute of waiting at most. */
  mergeConflictAttempts: 20,
  mergeConflictBackoffMs: 250,
  mergeConflictBackoffMaxMs: 5_000,
  /** BigQuery keeps insert ids for dedup "at least one minute"; rows of a retried snapshot may be that old. */
  dedupWindowMinutes: 60,
} as const;

type Tuning = Omit<Required<BigQueryWarehouseOptions>, 'projectId' | 'dataset' | 'landingDataset' | 'location' | 'apiEndpoint'>;

const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;
const PROJECT_ID = /^[A-Za-z0-9.:-]{1,128}$/;

function positive(name: string, value: number): number {
  if (Number.isSafeInteger(value) && value >= 1) return value;
  throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`);
}

function matching(name: string, value: string, pattern: RegExp): string {
  if (pattern.test(value)) return value;
  throw new InvalidArgumentError(`${name} ${JSON.stringify(value)} is not a valid BigQuery name`);
}

function tuning(options: BigQueryWarehouseOptions): Tuning {
  const defaults = BIGQUERY_WAREHOUSE_DEFAULTS;
  const pick = (name: Exclude<keyof Tuning, 'apiRetries'>) => positive(name, options[name] ?? defaults[name]);
  // apiRetries may be 0 (a test of an unreachable endpoint wants the error at once).
  const apiRetries = options.apiRetries ?? defaults.apiRetries;
  if (!Number.isSafeInteger(apiRetries) || apiRetries < 0) {
    throw new InvalidArgumentError(`apiRetries must be a non-negative integer, got ${apiRetries}`);
  }
  return {
    embeddingDimensions: pick('embeddingDimensions'),
    insertChunkRows: pick('insertChunkRows'),
    insertChunkBytes: pick('insertChunkBytes'),
    insertAttempts: pick('insertAttempts'),
    retryBackoffMs: pick('retryBackoffMs'),
    apiRetries,
    jobPollMs: pick('jobPollMs'),
    jobPollMaxMs: pick('jobPollMaxMs'),
    jobTimeoutMs: pick('jobTimeoutMs'),
    resultPageRows: pick('resultPageRows'),
    mergeConflictAttempts: pick('mergeConflictAttempts'),
    mergeConflictBackoffMs: pick('mergeConflictBackoffMs'),
    mergeConflictBackoffMaxMs: pick('mergeConflictBackoffMaxMs'),
    dedupWindowMinutes: pick('dedupWindowMinutes'),
  };
}

/**
 * The Warehouse port on BigQuery: landing in BQ_LANDING_DATASET by streaming inserts, the mart in
 * BQ_DATASET, merged by one transactional script job per run. Safe to use from many instances at
 * once: landing is idempotent per snapshot, merges are serialized by BigQuery's transaction conflicts
 * (and, within this instance, by a queue). Every failure is a WarehouseError.
 */
export class BigQueryWarehouse implements Warehouse, SyncRunLog, SchemaMigrator {
  private readonly client: BigQuery;
  private readonly datasets: Datasets;
  private readonly tuning: Tuning;
  private readonly location: string | undefined;
  private readonly claimant = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private mergeQueue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Throws InvalidArgumentError for an invalid name or tuning value; makes no request until used. */
  constructor(options: BigQueryWarehouseOptions) {
    const defaults = BIGQUERY_WAREHOUSE_DEFAULTS;
    this.datasets = {
      projectId: matching('projectId', options.projectId, PROJECT_ID),
      mart: matching('dataset', options.dataset ?? defaults.dataset, DATASET_ID),
      landing: matching('landingDataset', options.landingDataset ?? defaults.landingDataset, DATASET_ID),
    };
    this.tuning = tuning(options);
    this.location = options.location;
    this.client = createBigQueryClient({
      projectId: this.datasets.projectId,
      ...(options.location ? { location: options.location } : {}),
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
      apiRetries: this.tuning.apiRetries,
    });
  }

  /**
   * Creates the datasets and every missing table (with explicit schemas) and brings existing ones to
   * ours additively (schema.ts migrateSchema); leaves the old batch job's tables alone.
   */
  async ensureSchema(): Promise<void> {
    await this.migrateSchema({ dryRun: false });
  }

  /** The schema plan, as lines; applied unless `dryRun` (a dry run only reads). See schema.ts. */
  migrateSchema(options: { dryRun: boolean }): Promise<SchemaMigration> {
    const context = { ...this.readContext(), ...(this.location ? { location: this.location } : {}) };
    return this.guard('migrateSchema', () => migrateSchema(context, options));
  }

  landSnapshots(snapshots: SnapshotToLand[]): Promise<LandedBatch[]> {
    return this.guard('landSnapshots', () => landSnapshots(this.landingContext(), snapshots));
  }

  /** Merges as one run; calls on this instance run one after the other (no self-inflicted conflicts). */
  mergePendingBatches(): Promise<MartRun | null> {
    const run = this.mergeQueue.then(() => this.guard('mergePendingBatches', () => mergePendingBatches(this.mergeContext())));
    this.mergeQueue = run.catch(() => undefined);
    return run;
  }

  latestMartRunId(): Promise<number> {
    return this.guard('latestMartRunId', () => latestMartRunId(this.readContext()));
  }

  async *readMartChanges(afterRunId: number, upToRunId: number, batchSize: number, options?: ReadMartChangesOptions): AsyncIterable<MartChange[]> {
    if (this.closed) throw new WarehouseClosedError();
    try {
      yield* readMartChanges(this.readContext(), afterRunId, upToRunId, batchSize, options);
    } catch (error) {
      throw toWarehouseError(error, 'readMartChanges');
    }
  }

  /** Streams one row into the mart dataset's sync_runs (the sinks' audit, as chat's sync_runs). */
  recordSyncRun(run: SyncRunRecord): Promise<void> {
    const context = { client: this.client, datasets: this.datasets, insert: this.tuning };
    return this.guard('recordSyncRun', () => recordSyncRun(context, run));
  }

  /** Marks the warehouse closed (the client holds no connections to end). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private readContext(): ReadContext {
    const { jobPollMs, jobPollMaxMs, jobTimeoutMs, resultPageRows } = this.tuning;
    const jobs: JobOptions = { pollMs: jobPollMs, pollMaxMs: jobPollMaxMs, jobTimeoutMs, resultPageRows };
    return { client: this.client, datasets: this.datasets, jobs };
  }

  private landingContext(): LandingContext {
    const { embeddingDimensions, insertChunkRows, insertChunkBytes } = this.tuning;
    return { ...this.readContext(), insert: this.tuning, embeddingDimensions, insertChunkRows, insertChunkBytes, now: () => new Date() };
  }

  private mergeContext(): MergeContext {
    const t = this.tuning;
    return {
      ...this.readContext(),
      conflictAttempts: t.mergeConflictAttempts,
      conflictBackoffMs: t.mergeConflictBackoffMs,
      conflictBackoffMaxMs: t.mergeConflictBackoffMaxMs,
      dedupWindowMinutes: t.dedupWindowMinutes,
      claimant: this.claimant,
    };
  }

  private async guard<T>(action: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new WarehouseClosedError();
    try {
      return await work();
    } catch (error) {
      throw toWarehouseError(error, action);
    }
  }
}
