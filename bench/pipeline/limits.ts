/**
 * The physical limits the pipeline is compared with, measured in the same run on the same rows:
 * - raw COPY of the published rows from RAG into a scratch table of Chat's database (COPY out piped
 *   into COPY in, the 29 columns with the jsonb embedding);
 * - raw insertion of the same vectors into the vector index's HNSW graph, in process, with the local
 *   server's own parameters (no HTTP, no JSON, no persistence);
 * - raw JetStream publish + consume + ack of the same number of 6 KB messages.
 */
import { pipeline as pipe } from 'node:stream/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PUBLISHED_COLUMNS } from '@mobius/contracts';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { VECTOR_INDEX_SERVER_DEFAULTS } from '../../services/vector-index/src/config.ts';
import { HnswGraph } from '../../services/vector-index/src/index/hnsw-graph.ts';
import type { Corpus } from './corpus.ts';

export interface Rate {
  items: number;
  seconds: number;
  perSecond: number;
}

export const rate = (items: number, seconds: number): Rate => ({ items, seconds, perSecond: items / seconds });

/** COPY (29 columns of rag_published_embeddings) TO STDOUT | COPY scratch FROM STDIN, timed end to end. */
export async function rawCopy(ragUrl: string, chatUrl: string): Promise<Rate> {
  const columns = PUBLISHED_COLUMNS.map((column) => `"${column.name}"`).join(', ');
  const rag = new pg.Client({ connectionString: ragUrl });
  const chat = new pg.Client({ connectionString: chatUrl });
  await Promise.all([rag.connect(), chat.connect()]);
  try {
    await chat.query('DROP TABLE IF EXISTS bench_raw_copy');
    await chat.query(`CREATE TABLE bench_raw_copy (${PUBLISHED_COLUMNS.map((c) => `"${c.name}" ${c.postgres}`).join(', ')})`);
    const started = performance.now();
    await pipe(
      rag.query(copyTo(`COPY (SELECT ${columns} FROM rag_published_embeddings) TO STDOUT`)),
      chat.query(copyFrom(`COPY bench_raw_copy (${columns}) FROM STDIN`)),
    );
    const seconds = (performance.now() - started) / 1000;
    const copied = Number((await chat.query<{ n: string }>('SELECT count(*)::text AS n FROM bench_raw_copy')).rows[0]!.n);
    await chat.query('DROP TABLE bench_raw_copy');
    return rate(copied, seconds);
  } finally {
    await Promise.all([rag.end(), chat.end()]);
  }
}

/** Inserts the corpus's vectors into a fresh HNSW graph with the server's parameters; times the inserts only. */
export function rawIndexInsert(corpus: Corpus): Rate {
  const graph = HnswGraph.create(corpus.vectors.dimensions, {
    ...VECTOR_INDEX_SERVER_DEFAULTS.hnsw,
    initialCapacity: Math.max(corpus.rows, VECTOR_INDEX_SERVER_DEFAULTS.hnsw.initialCapacity),
  });
  const vectors = Array.from({ length: corpus.rows }, (_, row) => Array.from(corpus.vectors.vector(row)));
  const started = performance.now();
  for (let row = 0; row < corpus.rows; row++) graph.add(row, vectors[row]!);
  return rate(corpus.rows, (performance.now() - started) / 1000);
}

const MESSAGE_BYTES = 6 * 1024;
const PUBLISH_WINDOW = 256;
const CONSUME_BATCH = 256;

/** `count` 6 KB messages: JetStream publish (acked, a window in flight), then a pull consumer's consume() with an ack each. */
export async function rawJetStream(natsUrl: string, prefix: string, count: number): Promise<Rate> {
  const nc = await connect({ servers: natsUrl });
  const stream = `${prefix}bench_raw`;
  const subject = `${prefix}bench_raw.events`;
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
    await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: 'explicit' as never });
    const js = jetstream(nc);
    const payload = new Uint8Array(MESSAGE_BYTES).fill(120);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(PUBLISH_WINDOW, count) }, async () => {
        while (next < count) {
          const index = next++;
          await js.publish(subject, payload, { msgID: `m-${index}` });
        }
      }),
    );
    const messages = await (await js.consumers.get(stream, 'raw')).consume({ max_messages: CONSUME_BATCH });
    let acked = 0;
    for await (const message of messages) {
      message.ack();
      if (++acked === count) break;
    }
    await nc.flush();
    const seconds = (performance.now() - started) / 1000;
    await jsm.streams.delete(stream);
    return rate(count, seconds);
  } finally {
    await nc.close();
  }
}
