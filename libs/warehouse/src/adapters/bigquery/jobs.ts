import { setTimeout as sleep } from 'node:timers/promises';
import type { BigQuery, Job, JobMetadata, Query } from '@google-cloud/bigquery';
import { WarehouseUnavailableError } from '../../errors.ts';
import { BigQueryJobError } from './bigquery-errors.ts';
import type { BoundQuery } from './sql.ts';

/** How query jobs are waited for and read. */
export interface JobOptions {
  /** First wait between two jobs.get polls; each next wait doubles, up to `pollMaxMs`. */
  pollMs: number;
  pollMaxMs: number;
  /** Longest wait for one job (the job itself may still finish afterwards: callers stay idempotent). */
  jobTimeoutMs: number;
  /** Most rows per getQueryResults page (the API also caps a page at ~10 MB). */
  resultPageRows: number;
}

export interface QueryOutcome {
  jobId: string;
  /** The result rows, parsed by the client (INT64 and FLOAT64 as numbers); empty unless `readRows`. */
  rows: Record<string, unknown>[];
  /** Rows a DML statement changed, when it was one. */
  dmlAffectedRows: number | null;
}

/**
 * Runs one statement as a query job: jobs.insert with named parameters, jobs.get until the job is DONE,
 * then (when `readRows`) every getQueryResults page. A job that ends in error throws BigQueryJobError;
 * the client's own HTTP errors pass through (toWarehouseError maps both).
 */
export async function runQuery(
  client: BigQuery,
  statement: BoundQuery,
  options: JobOptions & { purpose: string; readRows: boolean },
): Promise<QueryOutcome> {
  const hasParams = Object.keys(statement.params).length > 0;
  const [job] = await client.createQueryJob({
    query: statement.sql,
    useLegacySql: false,
    jobPrefix: `mobius_${options.purpose}_`,
    ...(hasParams ? { params: statement.params, types: toClientTypes(statement.types) } : {}),
  });
  const metadata = await waitForJob(job, options);
  const rows = options.readRows ? await readAllPages(job, options.resultPageRows) : [];
  const affected = metadata.statistics?.query?.numDmlAffectedRows;
  return { jobId: String(job.id), rows, dmlAffectedRows: affected === undefined ? null : Number(affected) };
}

type ClientTypes = NonNullable<Query['types']>;

function toClientTypes(types: BoundQuery['types']): ClientTypes {
  return Object.fromEntries(Object.entries(types).map(([name, type]) => [name, typeof type === 'string' ? type : [...type]])) as ClientTypes;
}

/** Polls jobs.get with growing waits until the job is DONE; throws for a failed or overdue job. */
async function waitForJob(job: Job, options: JobOptions): Promise<JobMetadata> {
  const deadline = Date.now() + options.jobTimeoutMs;
  let metadata = (job.metadata ?? {}) as JobMetadata;
  let wait = options.pollMs;
  while (metadata.status?.state !== 'DONE') {
    if (Date.now() >= deadline) {
      throw new WarehouseUnavailableError(`job ${String(job.id)} did not finish within ${options.jobTimeoutMs} ms`);
    }
    await sleep(wait);
    wait = Math.min(wait * 2, options.pollMaxMs);
    [metadata] = await job.getMetadata();
  }
  const failure = metadata.status.errorResult;
  if (failure) {
    const reasons = [failure.reason, ...(metadata.status.errors ?? []).map((error) => error.reason)];
    throw new BigQueryJobError(String(job.id), reasons.map(String), String(failure.message));
  }
  return metadata;
}

/** Every page of a finished job's results, following pageToken. */
async function readAllPages(job: Job, pageRows: number): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let pageToken: string | undefined;
  do {
    const [page, next] = await job.getQueryResults({
      autoPaginate: false,
      maxResults: pageRows,
      ...(pageToken ? { pageToken } : {}),
    });
    rows.push(...(page as Record<string, unknown>[]));
    pageToken = next?.pageToken ?? undefined;
  } while (pageToken);
  return rows;
}
