import { describe, expect, it } from 'vitest';
import { splitSqlStatements } from './sql-statements.ts';

describe('splitSqlStatements', () => {
  it('splits on semicolons, without the comments before each statement', () => {
    const sql = `-- header; with a semicolon\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\n\n/* a; block */\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- trailing\n`;
    expect(splitSqlStatements(sql)).toEqual(['CREATE EXTENSION IF NOT EXISTS pg_trgm', 'CREATE INDEX CONCURRENTLY i ON t (a)']);
  });

  it('keeps semicolons inside strings, quoted names, dollar-quoted bodies and nested comments', () => {
    const body = `DO $body$ BEGIN PERFORM 1; RAISE NOTICE 'a;b'; END $body$`;
    const sql = [
      `SELECT 'it''s; here', E'a\\'; b', "odd;name" FROM t`,
      body,
      `SELECT $$x; y$$, $1::int`,
      `/* outer /* inner; */ still; comment */ SELECT 2`,
      `SELECT 3`,
    ].join(';\n');
    expect(splitSqlStatements(sql)).toEqual([
      `SELECT 'it''s; here', E'a\\'; b', "odd;name" FROM t`,
      body,
      `SELECT $$x; y$$, $1::int`,
      `SELECT 2`,
      `SELECT 3`,
    ]);
  });
});
