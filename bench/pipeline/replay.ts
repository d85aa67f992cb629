/**
 * Replay as reprocessing: with `rows` published rows already through the pipeline, the downstream is
 * wiped (warehouse and Chat databases re-created empty, a fresh vector index) and rebuilt from the
 * topic alone with `mobius replay --subscription ingestor --from beginning`. Measured: the time from
 * the replay command until Chat and the index hold every row again, and the peak RSS (VmHWM) of every
 * service over the replay (the consumers are fresh processes, so their peak is the replay's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mobius } from '../../test/support/cli.ts';
import { dropDatabases } from '../../test/support/databases.ts';
import { CONSUMERS } from '../../test/support/pipeline.ts';
import { loadCorpus } from './corpus.ts';
import { rate, type Rate } from './limits.ts';
import type { ProcessMemory } from './process-memory.ts';
import { createStack, freshVectorIndex } from './stack.ts';
import { measureThroughput } from './throughput.ts';
import { Visibility, whenCountReaches } from './visibility.ts';
import { STALL_MS, withProblems } from './stall.ts';

export interface Replay {
  rows: number;
  /** The first pass (publish through the API until visible everywhere), for reference. */
  firstPass: { chat: Rate; index: Rate };
  /** From the replay command until Chat holds every row again. */
  chat: Rate;
  /** From the replay command until the index holds every datapoint again. */
  index: Rate;
  /** Peak RSS of every service over the replay, MB. */
  peakRssMb: Record<string, number>;
  /** At the end of the replay, per service: V8 heap in use and total, and memory outside the heap (Buffers), MB. */
  heapMb: Record<string, { heapUsed: number; heapTotal: number; external: number }>;
}

/** The V8 heap figures a service's /metrics reports (prom-client's default metrics). */
async function heapOf(url: string): Promise<{ heapUsed: number; heapTotal: number; external: number } | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name}(?:{[^}]*})? ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
    const round = (mb: number) => Math.round(mb * 10) / 10;
    return {
      heapUsed: round(metric('nodejs_heap_size_used_bytes')),
      heapTotal: round(metric('nodejs_heap_size_total_bytes')),
      external: round(metric('nodejs_external_memory_bytes')),
    };
  } catch {
    return undefined;
  }
}

export async function measureReplay(
  rows: number,
  options: { paragraphs: number; dimensions: number; publishConcurrency: number; log: (line: string) => void; profileDir?: string },
): Promise<Replay> {
  const documents = Math.ceil(rows / options.paragraphs);
  const stack = await createStack(`bench_replay_${rows}`, options.dimensions, options.profileDir);
  const indexDirs: string[] = [];
  try {
    options.log(`replay ${rows}: loading ${documents * options.paragraphs} rows into RAG`);
    const corpus = await loadCorpus(stack.ragUrl, { documents, paragraphs: options.paragraphs, dimensions: options.dimensions });
    await stack.start();
    options.log(`replay ${rows}: first pass through the pipeline`);
    const first = await measureThroughput(stack, corpus, {
      concurrency: options.publishConcurrency,
      stallMs: STALL_MS,
      onProgress: options.log,
    }).catch((error: unknown) => Promise.reject(withProblems(error, stack.problems())));

    options.log(`replay ${rows}: wiping the warehouse, Chat and the index`);
    await stack.stop(CONSUMERS);
    const { names, env } = stack.pipeline.dbs;
    await dropDatabases([names.warehouse, names.chat]);
    for (const module of ['warehouse', 'chat'] as const) {
      const migrated = await mobius(['migrate', '--env', 'dev', '--module', module], env);
      if (migrated.code !== 0) throw new Error(`re-creating ${module} failed: ${migrated.stderr}`);
    }
    const indexDir = mkdtempSync(join(tmpdir(), 'mobius-bench-replay-index-'));
    indexDirs.push(indexDir);
    await freshVectorIndex(stack, indexDir, options.dimensions);
    await stack.start(CONSUMERS);

    options.log(`replay ${rows}: mobius replay --subscription ingestor --from beginning`);
    const visibility = new Visibility(stack.chatUrl, stack.vectorIndexUrl);
    const peaks: Record<string, number> = {};
    const sample = () => {
      for (const [name, memory] of Object.entries(stack.memory()) as [string, ProcessMemory | undefined][]) {
        if (memory) peaks[name] = Math.max(peaks[name] ?? 0, memory.peakRssMb);
      }
    };
    const sampler = setInterval(sample, 500);
    try {
      const started = performance.now();
      const replayed = await mobius(['replay', '--subscription', 'ingestor', '--from', 'beginning'], stack.pipeline.env);
      if (replayed.code !== 0) throw new Error(`mobius replay failed: ${replayed.stderr}`);
      const [chatAt, indexAt] = await Promise.all([
        whenCountReaches('rows in Chat after the replay', () => visibility.chatRows(), corpus.rows, { stallMs: STALL_MS, everyMs: 50 }),
        whenCountReaches('datapoints in the index after the replay', () => visibility.indexDatapoints(), corpus.rows, {
          stallMs: STALL_MS,
          everyMs: 50,
        }),
      ]).catch((error: unknown) => Promise.reject(withProblems(error, stack.problems())));
      sample();
      const heapMb: Replay['heapMb'] = {};
      for (const [name, service] of stack.services) {
        const heap = await heapOf(service.url);
        if (heap) heapMb[name] = heap;
      }
      return {
        heapMb,
        rows: corpus.rows,
        firstPass: { chat: first.chat, index: first.index },
        chat: rate(corpus.rows, (chatAt - started) / 1000),
        index: rate(corpus.rows, (indexAt - started) / 1000),
        peakRssMb: peaks,
      };
    } finally {
      clearInterval(sampler);
      await visibility.close();
    }
  } finally {
    await stack.destroy();
    for (const dir of indexDirs) rmSync(dir, { recursive: true, force: true });
  }
}
