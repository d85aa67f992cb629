/**
 * Throughput: publish every document through rag's API (`POST /documents/{id}/publish`, a few requests in
 * flight) and time, from the first publish request, until Chat holds every row and until the vector
 * index holds every datapoint.
 */
import { adminQuery } from '../../test/support/databases.ts';
import type { Corpus } from './corpus.ts';
import { backendCpuDelta, postgresBackends } from './process-cpu.ts';
import { rate, type Rate } from './limits.ts';
import type { Stack } from './stack.ts';
import { Visibility, whenCountReaches } from './visibility.ts';

export interface Throughput {
  documents: number;
  rows: number;
  /** First request to the last publish response (all publish transactions committed). */
  publish: Rate;
  /** First publish request until Chat holds every row. */
  chat: Rate;
  /** First publish request until the index holds every datapoint. */
  index: Rate;
  /** CPU seconds each process used over the phase (where the time went). */
  cpuSeconds: Record<string, number>;
  /** CPU seconds of the Postgres backends serving each client (application_name on database). */
  postgresCpuSeconds: Record<string, number>;
}

/** Visibility is polled this often: fine enough for phases of seconds, light on the machine being measured. */
const POLL_MS = 50;

/** Publishes one document through rag's API; resolves once its publish transaction committed. */
export async function publishThroughApi(ragUrl: string, documentId: string): Promise<void> {
  const response = await fetch(`${ragUrl}/documents/${documentId}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ published_by: 'bench' }),
  });
  if (response.status !== 200) throw new Error(`publish of ${documentId} answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function withConcurrency<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function measureThroughput(
  stack: Stack,
  corpus: Corpus,
  options: { concurrency: number; stallMs: number; onProgress?: (line: string) => void },
): Promise<Throughput> {
  const rag = stack.services.get('rag');
  if (!rag) throw new Error('rag is not running');
  const visibility = new Visibility(stack.chatUrl, stack.vectorIndexUrl);
  try {
    const databases = Object.values(stack.pipeline.dbs.names);
    const backendsBefore = await postgresBackends((sql, params) => adminQuery(sql, params), databases);
    const cpuBefore = stack.cpu();
    const started = performance.now();
    const seconds = (at: number) => (at - started) / 1000;
    const published = withConcurrency(corpus.documentIds, options.concurrency, (id) => publishThroughApi(rag.url, id)).then(() => performance.now());
    let lastReport = started;
    const progress = (what: string) => (value: number) => {
      if (performance.now() - lastReport < 5_000) return;
      lastReport = performance.now();
      options.onProgress?.(`  ${what}: ${value}/${corpus.rows} rows after ${seconds(lastReport).toFixed(0)} s`);
    };
    const [publishedAt, chatAt, indexAt] = await Promise.all([
      published,
      whenCountReaches('rows in Chat', () => visibility.chatRows(), corpus.rows, {
        stallMs: options.stallMs,
        everyMs: POLL_MS,
        onProgress: progress('chat'),
      }),
      whenCountReaches('datapoints in the index', () => visibility.indexDatapoints(), corpus.rows, {
        stallMs: options.stallMs,
        everyMs: POLL_MS,
        onProgress: progress('index'),
      }),
    ]);
    const cpuAfter = stack.cpu();
    const postgresCpuSeconds = backendCpuDelta(backendsBefore, await postgresBackends((sql, params) => adminQuery(sql, params), databases));
    const cpuSeconds = Object.fromEntries(
      Object.entries(cpuAfter).map(([name, after]) => [name, Math.round((after - (cpuBefore[name] ?? 0)) * 100) / 100]),
    );
    return {
      cpuSeconds,
      postgresCpuSeconds,
      documents: corpus.documentIds.length,
      rows: corpus.rows,
      publish: rate(corpus.rows, seconds(publishedAt)),
      chat: rate(corpus.rows, seconds(chatAt)),
      index: rate(corpus.rows, seconds(indexAt)),
    };
  } finally {
    await visibility.close();
  }
}
