import type pg from 'pg';
import type { FreshnessBucket, FreshnessHistorySource } from '../types.ts';

/**
 * Per sink and time bucket, the median and 99th percentile of publish-to-visible (`visible_at -
 * published_at`) of the samples the sinks record in Chat (`mobius_freshness_samples`, migration
 * 007, indexed by sink and visible_at). Buckets are aligned to the epoch, so two consoles draw the
 * same chart. Negative differences (clock skew between RAG and Chat) count as 0.
 */
const BUCKETS_SQL = `
  SELECT sink,
         floor(extract(epoch FROM visible_at) * 1000 / $2) * $2 AS bucket_ms,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(0, extract(epoch FROM visible_at - published_at) * 1000)) AS p50_ms,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY greatest(0, extract(epoch FROM visible_at - published_at) * 1000)) AS p99_ms,
         count(*) AS samples
    FROM mobius_freshness_samples
   WHERE visible_at >= now() - make_interval(secs => $1 / 1000.0)
   GROUP BY sink, bucket_ms
   ORDER BY bucket_ms, sink`;

/** The freshness history of Chat's database `chat` (read-only). */
export function freshnessHistoryFrom(chat: pg.Pool): FreshnessHistorySource {
  return async (windowMs, bucketMs) => {
    const { rows } = await chat.query<{ sink: string; bucket_ms: string; p50_ms: number; p99_ms: number; samples: string }>(BUCKETS_SQL, [
      windowMs,
      bucketMs,
    ]);
    return rows.map(
      (row): FreshnessBucket => ({
        sink: row.sink,
        at: Number(row.bucket_ms),
        p50Ms: Number(row.p50_ms),
        p99Ms: Number(row.p99_ms),
        samples: Number(row.samples),
      }),
    );
  };
}
