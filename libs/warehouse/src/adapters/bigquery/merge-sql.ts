import { PUBLISHED_COLUMNS } from '@mobius/contracts';
import { declare, query, raise, renderScript, type MergeStatement, type ScriptStatement } from './script.ts';
import { type BoundQuery, MERGE_LOCK_NAME } from './sql.ts';
import {
  type Datasets,
  ident,
  LANDING_BATCHES,
  LANDING_ROWS,
  MART_DOCUMENTS,
  MART_LOCK,
  MART_ROWS,
  MART_RUNS,
  MERGED_BATCHES,
  tableRef,
} from './tables.ts';

/**
 * The mart merge as ONE BigQuery script job holding one transaction, so a run is atomic (a failure or a
 * crash rolls all of it back, BigQuery runs the job to its end whatever happens to the caller) and
 * runs are serialized: each transaction updates the mart_lock row before writing anything, BigQuery
 * cancels a transaction that mutates a table another running transaction mutates, and the loser is
 * retried by the adapter. The run id is max(run_id) + 1 read inside the transaction, so runs are
 * numbered in commit order. Landing is only read (streamed rows cannot be mutated for ~30 minutes).
 *
 * Steps, mirroring the Postgres merge: the unmerged headers (anti-join with merged_batches); the ids
 * landed for them, read only from the landing partitions that can hold them; the complete ones are
 * this run's batches; per document the highest version wins, if newer than the mart's; its rows are
 * upserted where any of the 29 columns differs and the document's other live ids become tombstones.
 */

/** Marks the error RAISEd when mart_lock has lost its row (the adapter reports it as a schema error). */
export const LOCK_MISSING_MESSAGE = 'mobius-warehouse: mart_lock has no merge row, run ensureSchema';

const NAMES = PUBLISHED_COLUMNS.map((column) => column.name);

/** `a.\`id\`, a.\`document_id\`, ...` over the 29 published columns. */
const columns = (alias: string): string => NAMES.map((name) => `${alias}.${ident(name)}`).join(', ');

function candidates(d: Datasets): string {
  return `CREATE TEMP TABLE candidates AS
SELECT lb.batch_id, lb.document_id, lb.document_version, lb.row_ids, lb.ingested_at
  FROM ${tableRef(d, LANDING_BATCHES)} lb
 WHERE NOT EXISTS (SELECT 1 FROM ${tableRef(d, MERGED_BATCHES)} mb WHERE mb.batch_id = lb.batch_id)
QUALIFY ROW_NUMBER() OVER (PARTITION BY lb.batch_id ORDER BY lb.ingested_at) = 1`;
}

/**
 * The lowest landing time that can hold a candidate's rows: the oldest candidate header, less the
 * insert-id dedup window (a retried snapshot may keep rows its first attempt streamed a little earlier).
 */
const LANDING_FROM = `SET v_landing_from = (SELECT TIMESTAMP_SUB(MIN(c.ingested_at), INTERVAL @dedup_window_minutes MINUTE)
  FROM candidates c)`;

/** The ids landed for each candidate, read from the partitions at or after v_landing_from only. */
function landedIds(d: Datasets): string {
  return `CREATE TEMP TABLE landed_ids AS
SELECT DISTINCT l.batch_id, l.${ident('id')} AS id
  FROM ${tableRef(d, LANDING_ROWS)} l JOIN candidates c ON c.batch_id = l.batch_id
 WHERE l.ingested_at >= v_landing_from
   AND EXISTS (SELECT 1 FROM UNNEST(c.row_ids) AS rid WHERE rid = l.${ident('id')})`;
}

/** Candidates whose rows are all visible; one whose rows are not yet waits for a later run. */
const PENDING = `CREATE TEMP TABLE pending AS
SELECT c.batch_id, c.document_id, c.document_version, c.ingested_at
  FROM candidates c
  LEFT JOIN (SELECT li.batch_id, COUNT(*) AS found FROM landed_ids li GROUP BY li.batch_id) f ON f.batch_id = c.batch_id
 WHERE COALESCE(f.found, 0) = ARRAY_LENGTH(c.row_ids)`;

/** The claim: fails the script if the lock row is gone, then updates it (the conflict point). */
function claimRun(d: Datasets): ScriptStatement[] {
  return [
    query(`SET v_lock_rows = (SELECT COUNT(*) FROM ${tableRef(d, MART_LOCK)} k WHERE k.name = '${MERGE_LOCK_NAME}')`),
    { kind: 'if', condition: 'v_lock_rows = 0', then: [raise(LOCK_MISSING_MESSAGE)] },
    query(`SET v_run_id = (SELECT COALESCE(MAX(r.run_id), 0) + 1 FROM ${tableRef(d, MART_RUNS)} r)`),
    query(`UPDATE ${tableRef(d, MART_LOCK)} SET last_run_id = v_run_id, claimed_at = CURRENT_TIMESTAMP(),
  claimed_by = @claimant WHERE name = '${MERGE_LOCK_NAME}'`),
  ];
}

function recordMerged(d: Datasets): string {
  return `INSERT INTO ${tableRef(d, MERGED_BATCHES)} (batch_id, mart_run_id, document_id, document_version, ingested_at, merged_at)
SELECT p.batch_id, v_run_id, p.document_id, p.document_version, p.ingested_at, CURRENT_TIMESTAMP() FROM pending p`;
}

/** Per document, this run's highest version, kept only when newer than the one the mart holds. */
function winners(d: Datasets): string {
  return `CREATE TEMP TABLE winners AS
SELECT p.document_id, p.document_version, p.batch_id
  FROM pending p LEFT JOIN ${tableRef(d, MART_DOCUMENTS)} d ON d.document_id = p.document_id
 WHERE d.document_id IS NULL OR p.document_version > d.document_version
QUALIFY ROW_NUMBER() OVER (PARTITION BY p.document_id ORDER BY p.document_version DESC) = 1`;
}

function advanceDocuments(d: Datasets): MergeStatement {
  return {
    target: tableRef(d, MART_DOCUMENTS),
    targetAlias: 'd',
    source: 'SELECT w.document_id, w.document_version, w.batch_id FROM winners w',
    sourceAlias: 'w',
    on: 'd.document_id = w.document_id',
    clauses: [
      { when: 'MATCHED', set: 'document_version = w.document_version, batch_id = w.batch_id, mart_run_id = v_run_id' },
      {
        when: 'NOT MATCHED',
        columns: ['document_id', 'document_version', 'batch_id', 'mart_run_id'],
        values: ['w.document_id', 'w.document_version', 'w.batch_id', 'v_run_id'],
      },
    ],
  };
}

/**
 * The winners' rows, one per id: a (batch, id) streamed twice counts once, and should two documents
 * of one run claim an id, the higher version wins (then the lower document id, as on Postgres).
 */
function incoming(d: Datasets): string {
  return `CREATE TEMP TABLE incoming AS
SELECT ${columns('l')}, w.document_version, w.batch_id
  FROM ${tableRef(d, LANDING_ROWS)} l
  JOIN winners w ON w.batch_id = l.batch_id
  JOIN landed_ids li ON li.batch_id = l.batch_id AND li.id = l.${ident('id')}
 WHERE l.ingested_at >= v_landing_from
QUALIFY ROW_NUMBER() OVER (PARTITION BY l.${ident('id')} ORDER BY w.document_version DESC, w.document_id, l.ingested_at DESC) = 1`;
}

/** Incoming rows, plus a tombstone for each live id of an advanced document that is not incoming. */
function rowChanges(d: Datasets): string {
  return `SELECT ${columns('i')}, i.document_version, i.batch_id, FALSE AS tombstone FROM incoming i
UNION ALL
SELECT ${columns('mr')}, w.document_version, w.batch_id, TRUE AS tombstone
  FROM ${tableRef(d, MART_ROWS)} mr JOIN winners w ON mr.document_id = w.document_id
 WHERE NOT mr.deleted AND mr.${ident('id')} NOT IN (SELECT i2.${ident('id')} FROM incoming i2)`;
}

/** True when any of the 29 columns differs; null-safe, and it compares embeddings (arrays have no `=`). */
const ANY_COLUMN_DIFFERS = `TO_JSON_STRING(STRUCT(${columns('m')})) <> TO_JSON_STRING(STRUCT(${columns('s')}))`;

function applyRows(d: Datasets): MergeStatement {
  // `id` is the ON key, equal on both sides: every other column is assigned.
  const assign = NAMES.filter((name) => name !== 'id')
    .map((name) => `${ident(name)} = s.${ident(name)}`)
    .join(', ');
  return {
    target: tableRef(d, MART_ROWS),
    targetAlias: 'm',
    source: rowChanges(d),
    sourceAlias: 's',
    on: `m.${ident('id')} = s.${ident('id')}`,
    clauses: [
      {
        when: 'MATCHED',
        condition: 's.tombstone',
        set: 'deleted = TRUE, mart_run_id = v_run_id, document_version = s.document_version, batch_id = s.batch_id',
      },
      {
        when: 'MATCHED',
        condition: `NOT s.tombstone AND (m.deleted OR ${ANY_COLUMN_DIFFERS})`,
        set: `${assign}, document_version = s.document_version, deleted = FALSE, mart_run_id = v_run_id, batch_id = s.batch_id`,
      },
      {
        when: 'NOT MATCHED',
        condition: 'NOT s.tombstone',
        columns: [...NAMES.map(ident), 'document_version', 'deleted', 'mart_run_id', 'batch_id'],
        values: [...NAMES.map((name) => `s.${ident(name)}`), 's.document_version', 'FALSE', 'v_run_id', 's.batch_id'],
      },
    ],
  };
}

function countRun(d: Datasets): ScriptStatement[] {
  const mart = tableRef(d, MART_ROWS);
  return [
    query('SET v_documents = (SELECT COUNT(*) FROM winners)'),
    query(`SET v_rows_upserted = (SELECT COUNTIF(NOT m.deleted) FROM ${mart} m WHERE m.mart_run_id = v_run_id)`),
    query(`SET v_rows_tombstoned = (SELECT COUNTIF(m.deleted) FROM ${mart} m WHERE m.mart_run_id = v_run_id)`),
    query(`INSERT INTO ${tableRef(d, MART_RUNS)}
  (run_id, started_at, finished_at, batches_merged, documents, rows_upserted, rows_tombstoned)
VALUES (v_run_id, v_started_at, CURRENT_TIMESTAMP(), v_batches_merged, v_documents, v_rows_upserted, v_rows_tombstoned)`),
  ];
}

/** The merge script's statements, in order (exported so a test parses each part). */
export function mergeScriptStatements(d: Datasets): ScriptStatement[] {
  return [
    declare('v_started_at', 'TIMESTAMP', 'CURRENT_TIMESTAMP()'),
    declare('v_lock_rows', 'INT64', '0'),
    declare('v_run_id', 'INT64'),
    declare('v_landing_from', 'TIMESTAMP'),
    ...['v_batches_merged', 'v_documents', 'v_rows_upserted', 'v_rows_tombstoned'].map((name) => declare(name, 'INT64', '0')),
    { kind: 'transaction', verb: 'BEGIN' },
    query(candidates(d)),
    query(LANDING_FROM),
    {
      kind: 'if',
      condition: 'v_landing_from IS NOT NULL',
      then: [query(landedIds(d)), query(PENDING), query('SET v_batches_merged = (SELECT COUNT(*) FROM pending)')],
    },
    {
      kind: 'if',
      condition: 'v_batches_merged > 0',
      then: [
        ...claimRun(d),
        query(recordMerged(d)),
        query(winners(d)),
        { kind: 'merge', merge: advanceDocuments(d) },
        query(incoming(d)),
        { kind: 'merge', merge: applyRows(d) },
        ...countRun(d),
      ],
    },
    { kind: 'transaction', verb: 'COMMIT' },
    query(`SELECT v_run_id AS run_id, v_batches_merged AS batches_merged, v_documents AS documents,
  v_rows_upserted AS rows_upserted, v_rows_tombstoned AS rows_tombstoned`),
  ];
}

/** The merge script job: its last statement returns one row, with a null run_id when nothing merged. */
export function mergeQuery(d: Datasets, options: { dedupWindowMinutes: number; claimant: string }): BoundQuery {
  return {
    sql: renderScript(mergeScriptStatements(d)),
    params: { dedup_window_minutes: options.dedupWindowMinutes, claimant: options.claimant },
    types: { dedup_window_minutes: 'INT64', claimant: 'STRING' },
  };
}
