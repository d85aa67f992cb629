// Every SQL statement the BigQuery adapter can send, parsed by node-sql-parser's BigQuery dialect so a
// syntax error cannot ship. The parser knows no BigQuery scripting (DECLARE, IF, RAISE, BEGIN/COMMIT
// TRANSACTION) and no MERGE: the merge script is therefore built from parts (adapters/bigquery/
// script.ts) and every part holding SQL text is parsed on its own; the tripwire at the end fails the
// day the parser learns those constructs, so whole statements can be parsed instead.
import { PUBLISHED_COLUMNS } from '@mobius/contracts';
import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { mergeQuery, mergeScriptStatements } from '../libs/warehouse/src/adapters/bigquery/merge-sql.ts';
import { renderMerge, renderStatement, type MergeStatement, type ScriptStatement } from '../libs/warehouse/src/adapters/bigquery/script.ts';
import { changesPageQuery, createLockTableQuery, existingBatchesQuery, latestRunQuery } from '../libs/warehouse/src/adapters/bigquery/sql.ts';
import { MART_ROWS, tableRef, type Datasets } from '../libs/warehouse/src/adapters/bigquery/tables.ts';

const { Parser } = pkg;
const parser = new Parser();
const parse = (sql: string) => parser.astify(sql, { database: 'bigquery' });

const DATASETS: Datasets = { projectId: 'mobius-prod-123', landing: 'landing_rag', mart: 'mobius_rag' };

/** Every piece of SQL text of a script statement, each made a statement the parser can read whole. */
function parsableParts(statement: ScriptStatement): Array<[string, string]> {
  switch (statement.kind) {
    case 'query':
      return [[statement.sql.split('\n')[0] ?? '', statement.sql]];
    case 'declare':
      return [[`DECLARE ${statement.name}`, `SELECT CAST(${statement.defaultSql ?? 'NULL'} AS ${statement.type})`]];
    case 'if':
      return [[`IF ${statement.condition}`, `SELECT ${statement.condition}`], ...statement.then.flatMap(parsableParts)];
    case 'merge':
      return mergeParts(statement.merge);
    case 'transaction':
    case 'raise':
      return [];
  }
}

function mergeParts(merge: MergeStatement): Array<[string, string]> {
  const { target, targetAlias: t, source, sourceAlias: s } = merge;
  const parts: Array<[string, string]> = [
    [`MERGE ${target} source`, source],
    [`MERGE ${target} ON`, `SELECT 1 FROM ${target} ${t} JOIN (${source}) ${s} ON ${merge.on}`],
  ];
  for (const clause of merge.clauses) {
    if (clause.condition) parts.push([`WHEN ${clause.when} AND ...`, `SELECT ${clause.condition}`]);
    parts.push(
      clause.when === 'MATCHED'
        ? [`WHEN MATCHED ... UPDATE`, `UPDATE ${target} ${t} SET ${clause.set} WHERE TRUE`]
        : [`WHEN NOT MATCHED ... INSERT`, `INSERT INTO ${target} (${clause.columns.join(', ')}) VALUES (${clause.values.join(', ')})`],
    );
  }
  return parts;
}

const flatten = (statements: readonly ScriptStatement[]): ScriptStatement[] =>
  statements.flatMap((statement) => (statement.kind === 'if' ? [statement, ...flatten(statement.then)] : [statement]));

describe('BigQuery SQL: every statement parses in the BigQuery dialect', () => {
  const queries = {
    'landed batches lookup': existingBatchesQuery(DATASETS, ['a', 'b']),
    'latest run': latestRunQuery(DATASETS),
    'changes page': changesPageQuery(DATASETS, { afterRunId: 1, upToRunId: 9, cursor: { runId: 3, id: 'x' }, pageSize: 500 }),
    'changes page without the embedding': changesPageQuery(
      DATASETS,
      { afterRunId: 1, upToRunId: 9, cursor: { runId: 3, id: 'x' }, pageSize: 500 },
      { embedding: false },
    ),
    'mart_lock creation with its row': createLockTableQuery(DATASETS),
  };
  it.each(Object.entries(queries))('%s', (_, query) => {
    expect(() => parse(query.sql)).not.toThrow();
    for (const name of Object.keys(query.params)) expect(query.sql).toContain(`@${name}`);
    expect(Object.keys(query.types).sort()).toEqual(Object.keys(query.params).sort());
  });

  const parts = mergeScriptStatements(DATASETS).flatMap(parsableParts);
  it.each(parts)('merge script: %s', (_, sql) => {
    expect(() => parse(sql)).not.toThrow();
  });

  it("the merge script is only parts the parser reads, plus the renderer's fixed scaffolding", () => {
    const kinds = new Set(flatten(mergeScriptStatements(DATASETS)).map((statement) => statement.kind));
    expect([...kinds].sort()).toEqual(['declare', 'if', 'merge', 'query', 'raise', 'transaction']);
    expect(parts.length).toBeGreaterThan(30);
    const script = mergeQuery(DATASETS, { dedupWindowMinutes: 60, claimant: 'x' });
    expect(script.sql.match(/^(BEGIN|COMMIT) TRANSACTION;$/gm)).toEqual(['BEGIN TRANSACTION;', 'COMMIT TRANSACTION;']);
    expect(script.sql.match(/^MERGE /gm)).toHaveLength(2);
    for (const name of Object.keys(script.params)) expect(script.sql).toContain(`@${name}`);
  });

  it('renders a MERGE from its parts exactly', () => {
    const merge: MergeStatement = {
      target: '`p.d.t`',
      targetAlias: 't',
      source: 'SELECT 1 AS id',
      sourceAlias: 's',
      on: 't.id = s.id',
      clauses: [
        { when: 'MATCHED', condition: 's.id > 0', set: 'x = 1' },
        { when: 'NOT MATCHED', columns: ['id'], values: ['s.id'] },
      ],
    };
    expect(renderMerge(merge)).toBe(
      'MERGE `p.d.t` t\nUSING (SELECT 1 AS id) s\nON t.id = s.id\nWHEN MATCHED AND s.id > 0 THEN UPDATE SET x = 1\n' +
        'WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)',
    );
    expect(renderStatement({ kind: 'if', condition: 'a > 0', then: [{ kind: 'raise', message: 'no' }] })).toBe(
      "IF a > 0 THEN\nRAISE USING MESSAGE = 'no';\nEND IF",
    );
  });
});

describe('BigQuery SQL: derived from the contract, not hand-copied', () => {
  it('the changes page reads all 29 published columns, timestamps formatted to the microsecond', () => {
    const { sql } = changesPageQuery(DATASETS, { afterRunId: 0, upToRunId: 1, cursor: { runId: 0, id: '' }, pageSize: 1 });
    for (const column of PUBLISHED_COLUMNS) {
      const read =
        column.kind === 'timestamp' ? `FORMAT_TIMESTAMP('%F %H:%M:%E*S', m.\`${column.name}\`, 'UTC') AS \`${column.name}\`` : `m.\`${column.name}\``;
      expect(sql).toContain(read);
    }
    expect(sql).toContain(`FROM ${tableRef(DATASETS, MART_ROWS)} m`);
  });

  it('the mart MERGE compares and inserts all 29 columns, and updates all but its ON key', () => {
    const applyRows = flatten(mergeScriptStatements(DATASETS)).find(
      (statement) => statement.kind === 'merge' && statement.merge.target === tableRef(DATASETS, MART_ROWS),
    );
    if (applyRows?.kind !== 'merge') throw new Error('the script has no MERGE into the mart rows');
    const [, changed, inserted] = applyRows.merge.clauses;
    expect(applyRows.merge.on).toBe('m.`id` = s.`id`');
    for (const { name } of PUBLISHED_COLUMNS) {
      expect(changed?.condition).toContain(`m.\`${name}\``);
      expect(changed?.condition).toContain(`s.\`${name}\``);
      if (name !== 'id') expect(changed?.when === 'MATCHED' && changed.set).toContain(`\`${name}\` = s.\`${name}\``);
      expect(inserted?.when === 'NOT MATCHED' && inserted.values).toContain(`s.\`${name}\``);
    }
  });
});

describe('BigQuery SQL: what the parser can and cannot read', () => {
  it('rejects a broken statement (so the tests above can fail)', () => {
    const { sql } = latestRunQuery(DATASETS);
    expect(() => parse(sql.replace('MAX(r.run_id)', 'MAX(r.run_id'))).toThrow();
    expect(() => parse(`${existingBatchesQuery(DATASETS, []).sql} WHERE`)).toThrow();
  });

  const unsupported = flatten(mergeScriptStatements(DATASETS))
    .filter((statement) => statement.kind !== 'query')
    .map((statement) => [statement.kind, renderStatement(statement)] as [string, string]);
  it.each(unsupported)('still cannot parse a %s statement (when this fails, parse it whole instead)', (_, sql) => {
    expect(() => parse(sql)).toThrow();
  });
});
