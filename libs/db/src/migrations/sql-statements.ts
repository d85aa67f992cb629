/**
 * Splits a SQL script into its statements, for a migration that runs outside a transaction: Postgres
 * runs the statements of one multi-statement query in one implicit transaction, where
 * `CREATE INDEX CONCURRENTLY` is refused, so each statement has to be sent on its own.
 *
 * Knows what can hide a `;`: `--` and (nested) `/* *\/` comments, '...' strings (with '' and E'\''
 * escapes), "..." identifiers and $tag$...$tag$ bodies. Returns the statements without their `;`
 * and without the comments before them, trimmed; comment-only parts are dropped.
 */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  let meaningful = false;
  while (i < sql.length) {
    const next = skipQuotedOrComment(sql, i);
    if (next !== i) {
      const comment = sql.startsWith('--', i) || sql.startsWith('/*', i);
      // Comments before a statement are not part of it (callers look at how a statement starts).
      if (comment && !meaningful) start = next;
      if (!comment) meaningful = true;
      i = next;
      continue;
    }
    const char = sql[i]!;
    if (char === ';') {
      if (meaningful) statements.push(sql.slice(start, i).trim());
      start = i + 1;
      meaningful = false;
    } else if (!/\s/.test(char)) {
      meaningful = true;
    }
    i += 1;
  }
  if (meaningful) statements.push(sql.slice(start).trim());
  return statements;
}

/** If a comment, string, quoted identifier or dollar-quoted body starts at `i`, the index after it; else `i`. */
function skipQuotedOrComment(sql: string, i: number): number {
  if (sql.startsWith('--', i)) {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end + 1;
  }
  if (sql.startsWith('/*', i)) return skipBlockComment(sql, i);
  const char = sql[i];
  if (char === "'") return skipQuoted(sql, i, "'", /[eE]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? ''));
  if (char === '"') return skipQuoted(sql, i, '"', false);
  if (char === '$') {
    const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
    // `$1` (a parameter) or `a$b` (part of a name) is not a dollar quote.
    if (!tag || /[\w$]/.test(sql[i - 1] ?? '')) return i;
    const end = sql.indexOf(tag, i + tag.length);
    return end === -1 ? sql.length : end + tag.length;
  }
  return i;
}

function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return i;
}

/** Skips a '...' or "..." run; a doubled quote is an escaped one, and so is \' in an E'' string. */
function skipQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    if (backslashEscapes && sql[j] === '\\') {
      j += 2;
      continue;
    }
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j += 1;
  }
  return j;
}
