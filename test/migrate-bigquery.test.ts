import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigQueryRestDouble } from './support/bigquery-rest-double.ts';
import { mobius, problemsIn } from './support/cli.ts';

// `mobius migrate` with WAREHOUSE=bigquery ensures the BigQuery datasets and tables (no Postgres
// warehouse is needed), here against the loopback BigQuery REST double.

let double: BigQueryRestDouble;
beforeAll(async () => {
  double = await BigQueryRestDouble.start();
});
afterAll(() => double?.close());

const env = () => ({
  WAREHOUSE: 'bigquery',
  BQ_PROJECT: 'mobius-test',
  BQ_API_ENDPOINT: double.url,
});

describe('mobius migrate --module warehouse with WAREHOUSE=bigquery', () => {
  it('creates the landing and mart datasets and tables through the BigQuery API', async () => {
    const run = await mobius(['migrate', '--env', 'prod', '--module', 'warehouse'], env());
    expect(problemsIn(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out).toEqual([
      'warehouse: bigquery project mobius-test, datasets landing_rag and mobius_rag (WAREHOUSE=bigquery, --env prod)',
      'warehouse: create dataset landing_rag',
      'warehouse: create dataset mobius_rag',
      'warehouse: create table landing_rag.landing_batches (8 columns)',
      'warehouse: create table landing_rag.landing_rows (32 columns)',
      'warehouse: create table mobius_rag.mart_runs (7 columns)',
      'warehouse: create table mobius_rag.merged_batches (6 columns)',
      'warehouse: create table mobius_rag.mart_documents (4 columns)',
      'warehouse: create table mobius_rag.mart_rows (33 columns)',
      'warehouse: create table mobius_rag.sync_runs (8 columns)',
      'warehouse: create table mobius_rag.mart_lock (4 columns)',
      'warehouse: datasets and tables ensured',
    ]);
    const created = double.requestsTo('POST', /\/projects\/mobius-test\/datasets\/[a-z_]+\/tables$/);
    expect(created.length).toBeGreaterThanOrEqual(2);
  });

  it('does not ask for a Postgres warehouse URL in prod, and --dry-run only reads', async () => {
    const before = double.requests.length;
    const run = await mobius(['migrate', '--env', 'prod', '--module', 'warehouse', '--dry-run'], env());
    expect(run.code).toBe(0);
    expect(run.out).toContain('warehouse: would keep mobius_rag.sync_runs: compatible');
    expect(run.out.at(-1)).toBe('warehouse: dry run, nothing changed');
    expect(double.requests.slice(before).every((request) => request.method === 'GET')).toBe(true);
  });
});
