/**
 * Latency at a steady rate: documents are published through rag's API at `rate` per second; for each,
 * the time from its publish response (its transaction has committed) until Chat holds all its rows,
 * and until the index holds all its datapoints. Visibility is polled every 10 ms.
 */
import type { Corpus } from './corpus.ts';
import type { Stack } from './stack.ts';
import { publishThroughApi } from './throughput.ts';
import { Visibility } from './visibility.ts';

export interface Percentiles {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Latency {
  ratePerSecond: number;
  paragraphs: number;
  chat: Percentiles;
  index: Percentiles;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { samples: sorted.length, p50Ms: round(at(0.5)), p95Ms: round(at(0.95)), p99Ms: round(at(0.99)), maxMs: round(at(1)) };
}

const POLL_MS = 10;

interface Pending {
  documentId: string;
  datapointIds: string[];
  committedAt: number;
  chatAt?: number;
  indexAt?: number;
}

export async function measureLatency(
  stack: Stack,
  corpus: Corpus,
  options: { rate: number; paragraphs: number; timeoutMs: number },
): Promise<Latency> {
  const rag = stack.services.get('rag');
  if (!rag) throw new Error('rag is not running');
  const visibility = new Visibility(stack.chatUrl, stack.vectorIndexUrl);
  const pending: Pending[] = [];
  const done: Pending[] = [];
  let publishing = true;

  const watch = async () => {
    const deadline = performance.now() + options.timeoutMs;
    while (publishing || pending.length > 0) {
      if (performance.now() > deadline) throw new Error(`latency: ${pending.length} documents not visible after ${options.timeoutMs} ms`);
      const open = [...pending];
      if (open.length > 0) {
        const [chat, index] = await Promise.all([
          visibility.chatRowsByDocument(open.filter((p) => p.chatAt === undefined).map((p) => p.documentId)),
          visibility.presentDatapoints(open.filter((p) => p.indexAt === undefined).flatMap((p) => p.datapointIds)),
        ]);
        const now = performance.now();
        for (const item of open) {
          if (item.chatAt === undefined && chat.get(item.documentId) === options.paragraphs) item.chatAt = now;
          if (item.indexAt === undefined && item.datapointIds.every((id) => index.has(id))) item.indexAt = now;
          if (item.chatAt !== undefined && item.indexAt !== undefined) {
            pending.splice(pending.indexOf(item), 1);
            done.push(item);
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  try {
    const watcher = watch();
    const started = performance.now();
    const publishes: Promise<void>[] = [];
    for (const [i, documentId] of corpus.documentIds.entries()) {
      const due = started + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const datapointIds = corpus.embeddingIds.slice(i * options.paragraphs, (i + 1) * options.paragraphs);
      publishes.push(
        publishThroughApi(rag.url, documentId).then(() => {
          pending.push({ documentId, datapointIds, committedAt: performance.now() });
        }),
      );
    }
    await Promise.all(publishes);
    publishing = false;
    await watcher;
    return {
      ratePerSecond: options.rate,
      paragraphs: options.paragraphs,
      chat: percentiles(done.map((item) => item.chatAt! - item.committedAt)),
      index: percentiles(done.map((item) => item.indexAt! - item.committedAt)),
    };
  } finally {
    publishing = false;
    await visibility.close();
  }
}
