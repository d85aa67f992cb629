/**
 * A BigQuery multi-statement query (a "script") kept as structured parts and rendered to text in one
 * place. Why not plain strings: the SQL parser the tests use (node-sql-parser, BigQuery dialect) knows
 * SELECT, INSERT, UPDATE, SET and CREATE TEMP TABLE but not scripting (DECLARE, IF, RAISE,
 * BEGIN/COMMIT TRANSACTION) or MERGE. Kept as parts, every piece of SQL text in a script is still
 * parsed by a test (a MERGE's source, condition, SET list and INSERT lists each on their own), and only
 * the fixed keywords this renderer writes are not.
 */

/** A statement of a script. `query` holds one statement the parser reads whole. */
export type ScriptStatement =
  | { kind: 'query'; sql: string }
  | { kind: 'declare'; name: string; type: 'INT64' | 'TIMESTAMP'; defaultSql?: string }
  | { kind: 'transaction'; verb: 'BEGIN' | 'COMMIT' }
  | { kind: 'if'; condition: string; then: readonly ScriptStatement[] }
  | { kind: 'raise'; message: string }
  | { kind: 'merge'; merge: MergeStatement };

/** `MERGE target alias USING (source) sourceAlias ON on WHEN ...`. */
export interface MergeStatement {
  target: string;
  targetAlias: string;
  source: string;
  sourceAlias: string;
  on: string;
  clauses: readonly MergeClause[];
}

/** `WHEN MATCHED [AND condition] THEN UPDATE SET set` or `WHEN NOT MATCHED [AND condition] THEN INSERT`. */
export type MergeClause =
  | { when: 'MATCHED'; condition?: string; set: string }
  | { when: 'NOT MATCHED'; condition?: string; columns: readonly string[]; values: readonly string[] };

export const query = (sql: string): ScriptStatement => ({ kind: 'query', sql: sql.trim() });

export const declare = (name: string, type: 'INT64' | 'TIMESTAMP', defaultSql?: string): ScriptStatement =>
  defaultSql === undefined ? { kind: 'declare', name, type } : { kind: 'declare', name, type, defaultSql };

/** A RAISE message: a plain literal (no quotes or backslashes, so it needs no escaping). */
export function raise(message: string): ScriptStatement {
  if (/['"\\]/.test(message)) throw new Error(`a RAISE message cannot hold quotes or backslashes: ${message}`);
  return { kind: 'raise', message };
}

function renderClause(clause: MergeClause): string {
  const when = `WHEN ${clause.when}${clause.condition ? ` AND ${clause.condition}` : ''} THEN`;
  if (clause.when === 'MATCHED') return `${when} UPDATE SET ${clause.set}`;
  return `${when} INSERT (${clause.columns.join(', ')}) VALUES (${clause.values.join(', ')})`;
}

/** The MERGE statement's text. */
export function renderMerge(merge: MergeStatement): string {
  return [
    `MERGE ${merge.target} ${merge.targetAlias}`,
    `USING (${merge.source}) ${merge.sourceAlias}`,
    `ON ${merge.on}`,
    ...merge.clauses.map(renderClause),
  ].join('\n');
}

/** One statement's text, without the closing semicolon. */
export function renderStatement(statement: ScriptStatement): string {
  switch (statement.kind) {
    case 'query':
      return statement.sql;
    case 'declare':
      return `DECLARE ${statement.name} ${statement.type}${statement.defaultSql ? ` DEFAULT ${statement.defaultSql}` : ''}`;
    case 'transaction':
      return `${statement.verb} TRANSACTION`;
    case 'if':
      return `IF ${statement.condition} THEN\n${renderScript(statement.then)}\nEND IF`;
    case 'raise':
      return `RAISE USING MESSAGE = '${statement.message}'`;
    case 'merge':
      return renderMerge(statement.merge);
  }
}

/** The script's text: each statement closed by a semicolon. */
export function renderScript(statements: readonly ScriptStatement[]): string {
  return statements.map((statement) => `${renderStatement(statement)};`).join('\n');
}
