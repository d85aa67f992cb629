import type { BigQuery } from '@google-cloud/bigquery';
import { InvalidArgumentError } from '../../errors.ts';
import type { MartChange, ReadMartChangesOptions } from '../../types.ts';
import { type JobOptions, runQuery } from './jobs.ts';
import { toMartChange } from './rows.ts';
import { changesPageQuery, latestRunQuery, type PageCursor } from './sql.ts';
import type { Datasets } from './tables.ts';

export interface ReadContext {
  client: BigQuery;
  datasets: Datasets;
  jobs: JobOptions;
}

/** Below every id: the keyset's starting point. */
const FIRST_ID = '';

function checkRange(afterRunId: number, upToRunId: number, batchSize: number): void {
  for (const [name, value] of [
    ['afterRunId', afterRunId],
    ['upToRunId', upToRunId],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
  }
}

/** The highest committed run id, 0 before the first run. */
export async function latestMartRunId(context: ReadContext): Promise<number> {
  const { rows } = await runQuery(context.client, latestRunQuery(context.datasets), {
    ...context.jobs,
    purpose: 'latest_run',
    readRows: true,
  });
  return Number(rows[0]?.run_id ?? 0);
}

/**
 * Yields the mart rows changed by runs in (afterRunId, upToRunId], at most `batchSize` per page,
 * ordered by (martRunId, id), each id once; one query job per page, keyset-paged through query
 * parameters. `upToRunId` is first clamped to the runs committed now: a run committing mid-read moves
 * rows it rewrites beyond the range, so they come with that run's range instead, never twice.
 * With `embedding: false` the column is left out of the SELECT (BigQuery bills by the bytes of the
 * columns read, and the embedding is most of a row), and every row's embedding is null.
 */
export async function* readMartChanges(
  context: ReadContext,
  afterRunId: number,
  upToRunId: number,
  batchSize: number,
  options: ReadMartChangesOptions = {},
): AsyncGenerator<MartChange[]> {
  checkRange(afterRunId, upToRunId, batchSize);
  const columns = { embedding: options.embedding !== false };
  const upTo = Math.min(upToRunId, await latestMartRunId(context));
  let cursor: PageCursor = { runId: afterRunId, id: FIRST_ID };
  while (upTo > afterRunId) {
    const page = changesPageQuery(context.datasets, { afterRunId, upToRunId: upTo, cursor, pageSize: batchSize }, columns);
    const { rows } = await runQuery(context.client, page, { ...context.jobs, purpose: 'mart_changes', readRows: true });
    if (rows.length === 0) return;
    const changes = rows.map(toMartChange);
    yield changes;
    if (changes.length < batchSize) return;
    const last = changes[changes.length - 1] as MartChange;
    cursor = { runId: last.martRunId, id: last.row.id };
  }
}
