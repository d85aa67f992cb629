/**
 * The whole pipeline's speed next to the machine's physical limit, measured in the same run:
 *   npm run bench                      # defaults: a few minutes on 2 cores
 *   npm run bench -- --help            # sizes and phases
 * Needs the machine's Postgres (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
 * and NATS with JetStream (NATS_URL, default nats://127.0.0.1:4222). Every phase makes its own
 * databases and TOPIC_PREFIX and removes them after. Results: a table on stdout and JSON in bench/results/.
 * Phases (`--only=` picks some): throughput and limits (same rows), latency, replay, cold-start, resync.
 */
import { fileURLToPath } from 'node:url';
import { adminQuery } from '../test/support/databases.ts';
import { NATS_URL } from '../test/support/pipeline.ts';
import { loadCorpus } from './pipeline/corpus.ts';
import { measureLatency } from './pipeline/latency.ts';
import { rawCopy, rawIndexInsert, rawJetStream } from './pipeline/limits.ts';
import { parseOptions, type BenchOptions } from './pipeline/options.ts';
import { measureReplay } from './pipeline/replay.ts';
import { measureResync } from './pipeline/resync.ts';
import { formatReport, machine, writeResults, type Results } from './pipeline/report.ts';
import { createStack } from './pipeline/stack.ts';
import { STALL_MS, withProblems } from './pipeline/stall.ts';
import { measureThroughput } from './pipeline/throughput.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const log = (line: string) => console.error(line);

async function throughputAndLimits(options: BenchOptions, results: Results): Promise<void> {
  const stack = await createStack('bench_throughput', options.dimensions, options.profileDir);
  try {
    log(`throughput: loading ${options.documents} documents x ${options.paragraphs} paragraphs into RAG`);
    const corpus = await loadCorpus(stack.ragUrl, options);
    if (options.phases.has('throughput')) {
      await stack.start();
      log('throughput: publishing');
      results.throughput = await measureThroughput(stack, corpus, {
        concurrency: options.publishConcurrency,
        stallMs: STALL_MS,
        onProgress: log,
      }).catch((error: unknown) => Promise.reject(withProblems(error, stack.problems())));
      await stack.stop(['rag', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync']);
    }
    if (options.phases.has('limits')) {
      if (!results.throughput) {
        throw new Error('--only=limits needs the throughput phase too (the limits are measured on the rows it published)');
      }
      log('limits: raw COPY, raw index insert, raw JetStream');
      const rawCopyRate = await rawCopy(stack.ragUrl, stack.chatUrl);
      const rawIndex = rawIndexInsert(corpus);
      const jetStream = await rawJetStream(NATS_URL, stack.pipeline.topicPrefix, corpus.rows);
      results.limits = { rawCopy: rawCopyRate, rawIndexInsert: rawIndex, rawJetStream: jetStream };
      const t = results.throughput;
      results.ratios = {
        chatVsRawCopy: t.chat.perSecond / rawCopyRate.perSecond,
        indexVsRawIndexInsert: t.index.perSecond / rawIndex.perSecond,
        chatVsRawJetStream: t.chat.perSecond / jetStream.perSecond,
        indexVsRawJetStream: t.index.perSecond / jetStream.perSecond,
      };
    }
  } finally {
    await stack.destroy();
  }
}

async function latency(options: BenchOptions, results: Results): Promise<void> {
  const stack = await createStack('bench_latency', options.dimensions, options.profileDir);
  try {
    const documents = Math.max(1, Math.round(options.latencyRate * options.latencySeconds));
    log(`latency: loading ${documents} documents x ${options.paragraphs} paragraphs into RAG`);
    const corpus = await loadCorpus(stack.ragUrl, { ...options, documents, seed: 9 });
    await stack.start();
    log(`latency: publishing ${options.latencyRate} documents/s for ${options.latencySeconds} s`);
    results.latency = await measureLatency(stack, corpus, {
      rate: options.latencyRate,
      paragraphs: options.paragraphs,
      timeoutMs: options.latencySeconds * 1000 + STALL_MS,
    }).catch((error: unknown) => Promise.reject(withProblems(error, stack.problems())));
  } finally {
    await stack.destroy();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const postgres = (await adminQuery('SELECT version() AS v')).rows[0].v as string;
  const results: Results = {
    startedAt: new Date().toISOString(),
    machine: machine(postgres.split(' on ')[0]!),
    options: { ...options, phases: [...options.phases] },
  };
  if (options.phases.has('throughput') || options.phases.has('limits')) await throughputAndLimits(options, results);
  if (options.phases.has('latency')) await latency(options, results);
  if (options.phases.has('replay')) {
    results.replay = [];
    for (const rows of options.replayRows) {
      results.replay.push(
        await measureReplay(rows, {
          paragraphs: options.paragraphs,
          dimensions: options.dimensions,
          publishConcurrency: options.publishConcurrency,
          log,
          profileDir: options.profileDir,
        }),
      );
    }
  }
  if (options.phases.has('cold-start')) {
    const { coldStartRows } = await import('./pipeline/cold-start.ts');
    results.coldStart = await coldStartRows(options.coldStartRuns, options.dimensions, log);
  }
  if (options.phases.has('resync')) {
    results.resync = await measureResync({
      rows: options.resyncRows,
      vertexRows: options.resyncVertexRows,
      repair: options.resyncRepair,
      paragraphs: options.paragraphs,
      dimensions: options.dimensions,
      log,
    });
  }
  console.log(formatReport(results));
  console.log(`\nJSON: ${writeResults(RESULTS_DIR, results)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
