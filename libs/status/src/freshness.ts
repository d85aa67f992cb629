import type { Queryable } from './deps.ts';
import { readPart } from './errors.ts';
import type { FreshnessStatus } from './types.ts';

/**
 * Publish-to-visible percentiles per sink over the window, computed by Postgres (percentile_cont,
 * interpolated) from Chat's mobius_freshness_samples (migration 007): one sample per document a sink
 * run made visible, its publish time in RAG against the sink's commit. The two times come from two
 * database servers' clocks, so their skew (NTP: milliseconds) is part of each sample.
 */
const FRESHNESS_SQL = `
  SELECT s.sink,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) AS p50,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY f.ms) AS p99,
         count(f.ms)::int AS samples
    FROM unnest($1::text[]) AS s(sink)
    LEFT JOIN LATERAL (
      SELECT extract(epoch FROM visible_at - published_at) * 1000 AS ms
        FROM mobius_freshness_samples
       WHERE sink = s.sink AND visible_at > now() - make_interval(secs => $2)
    ) AS f ON true
   GROUP BY s.sink`;

export async function collectFreshness(chat: Queryable, sinks: readonly string[], windowSeconds: number): Promise<FreshnessStatus[]> {
  const { rows } = await readPart('freshness (mobius_freshness_samples)', () =>
    chat.query<{ sink: string; p50: number | null; p99: number | null; samples: number }>(FRESHNESS_SQL, [sinks, windowSeconds]),
  );
  const bySink = new Map(rows.map((row) => [row.sink, row]));
  return sinks.map((sink) => {
    const row = bySink.get(sink);
    return {
      sink,
      p50_ms: row?.p50 === null || row?.p50 === undefined ? null : Math.round(Number(row.p50)),
      p99_ms: row?.p99 === null || row?.p99 === undefined ? null : Math.round(Number(row.p99)),
      samples: row?.samples ?? 0,
      window_seconds: windowSeconds,
    };
  });
}
