import type { Queryable } from './deps.ts';
import { readPart } from './errors.ts';
import type { DriftStatus } from './types.ts';

/** Per target, its latest row in mobius_reconcile_runs (a pass may cover one target or both). */
const LAST_PASSES_SQL = `
  SELECT DISTINCT ON (target) target, mode, finished_at, missing::int, extra::int, stale::int, invalid::int,
         rows_repaired::int AS repaired
    FROM mobius_reconcile_runs
   ORDER BY target, finished_at DESC`;

interface PassRow {
  target: string;
  mode: string;
  finished_at: Date;
  missing: number;
  extra: number;
  stale: number;
  invalid: number;
  repaired: number;
}

/**
 * The reconciler's last word (the reconciler service or `mobius resync`, libs/reconcile): for each
 * target its latest pass, whose counts are what is left (after a repair, what the check after it
 * found). Null when no pass ever ran.
 */
export async function collectDrift(chat: Queryable): Promise<DriftStatus | null> {
  const { rows } = await readPart('drift (mobius_reconcile_runs)', () => chat.query<PassRow>(LAST_PASSES_SQL));
  if (rows.length === 0) return null;
  const targets = rows.map((row) => ({
    target: row.target,
    missing: row.missing,
    extra: row.extra,
    stale: row.stale,
    invalid: row.invalid,
    repaired: row.repaired,
    mode: row.mode,
    checked_at: row.finished_at.toISOString(),
  }));
  const checkedAt = Math.max(...rows.map((row) => row.finished_at.getTime()));
  const total = targets.reduce((sum, t) => sum + t.missing + t.extra + t.stale + t.invalid, 0);
  return { checked_at: new Date(checkedAt).toISOString(), targets, total };
}
