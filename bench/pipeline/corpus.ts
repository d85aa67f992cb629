/**
 * The benchmark's documents: `paragraphs` chunks each, with a unit-length embedding of `dimensions`
 * float32 values drawn around one of a few topic centres (the structure real embeddings have, so the
 * HNSW graph behaves as it would in production), loaded into RAG's tables with COPY the way the
 * existing RAG app leaves them after embedding: documents, hierarchical_chunks, chunk_embeddings.
 * Loading is setup, not part of any figure.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { seededRandom } from '../support/random.ts';

export interface Corpus {
  documentIds: string[];
  /** Row r = paragraph r % paragraphs of document floor(r / paragraphs). */
  rows: number;
  /** Per row, the chunk_embeddings id: the published row's id and its vector datapoint id. */
  embeddingIds: string[];
  vectors: VectorModel;
}

const WORDS = (
  'prior authorization member claim coverage benefit provider network formulary appeal grievance eligibility ' +
  'referral specialist emergency inpatient outpatient pharmacy therapy durable equipment behavioral health ' +
  'plan policy clinical criteria review medical necessity service request notice days approval denial'
).split(' ');

const TOPICS = 64;
const PAYERS = ['Sunshine Health', 'Aetna Better Health', 'Molina', 'Humana', 'Simply Healthcare'];
const STATES = ['FL', 'TX', 'CA', 'NY', 'OH'];

function paragraph(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return `${out.join(' ')}.`;
}

/**
 * The embeddings of the corpus, row by row and reproducibly (row `r` is the same vector in every call),
 * so a large corpus is never held in memory: unit length, rounded to float32 like any model's output,
 * drawn around the topic centre of the row's document.
 */
export interface VectorModel {
  dimensions: number;
  /** Writes row `row`'s embedding into `into` (length `dimensions`) and returns it. */
  vector(row: number, into?: Float32Array): Float32Array;
}

export function vectorModel(dimensions: number, paragraphs: number, seed = 8): VectorModel {
  const { gaussian } = seededRandom(seed);
  const centres = Array.from({ length: TOPICS }, () => Float32Array.from({ length: dimensions }, () => 2 * gaussian()));
  return {
    dimensions,
    vector(row, into = new Float32Array(dimensions)) {
      const noise = seededRandom(seed * 1_000_003 + row).gaussian;
      const centre = centres[Math.floor(row / paragraphs) % TOPICS]!;
      let norm = 0;
      for (let d = 0; d < dimensions; d++) {
        const value = centre[d]! + noise();
        into[d] = value;
        norm += value * value;
      }
      const scale = 1 / Math.sqrt(norm);
      for (let d = 0; d < dimensions; d++) into[d] = into[d]! * scale;
      return into;
    },
  };
}

/** The JSON text RAG stores for one embedding (shortest float32 digits, as a float32 model's output reads). */
export function embeddingJson(vector: Float32Array): string {
  const parts: string[] = new Array(vector.length);
  for (let d = 0; d < vector.length; d++) parts[d] = String(vector[d]);
  return `[${parts.join(',')}]`;
}

/** Writes lines into `COPY <target> FROM STDIN` (text format), honouring the stream's backpressure. */
async function copyLines(client: pg.ClientBase, target: string, lines: Iterable<string>): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN`));
  const done = once(stream, 'finish');
  for (const line of lines) {
    if (!stream.write(line)) await once(stream, 'drain');
  }
  stream.end();
  await done;
}

/**
 * Loads the corpus into the RAG database at `ragUrl` over `connections` parallel COPY streams (the
 * embeddings' jsonb parsing is what takes the time). Returns the documents' ids and the vectors.
 */
export async function loadCorpus(
  ragUrl: string,
  options: { documents: number; paragraphs: number; dimensions: number; seed?: number; connections?: number; onProgress?: (rows: number) => void },
): Promise<Corpus> {
  const { documents, paragraphs, dimensions } = options;
  const vectors = vectorModel(dimensions, paragraphs, options.seed);
  const scratch = new Float32Array(dimensions);
  const { next } = seededRandom((options.seed ?? 8) + 1);
  const documentIds = Array.from({ length: documents }, () => randomUUID());
  const chunkIds = Array.from({ length: documents * paragraphs }, () => randomUUID());
  const embeddingIds = Array.from({ length: documents * paragraphs }, () => randomUUID());
  const connections = Math.max(1, Math.min(options.connections ?? 2, documents));
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new pg.Client({ connectionString: ragUrl });
      await client.connect();
      return client;
    }),
  );
  try {
    await copyLines(
      clients[0]!,
      'documents (id, filename, display_name, payer, state, program, authority_level, effective_date, status, review_status)',
      documentIds.map(
        (id, i) =>
          `${id}\tbench-${i}.pdf\tBench document ${i}\t${PAYERS[i % PAYERS.length]}\t${STATES[i % STATES.length]}\tMedicaid\tpolicy\t2026-01-01\tcompleted\tapproved\n`,
      ),
    );
    let loaded = 0;
    const share = Math.ceil(documents / connections);
    await Promise.all(
      clients.map(async (client, part) => {
        const first = part * share;
        const last = Math.min(documents, first + share);
        function* chunks() {
          for (let doc = first; doc < last; doc++) {
            for (let p = 0; p < paragraphs; p++) {
              const text = paragraph(next, 60 + Math.floor(next() * 60));
              yield `${chunkIds[doc * paragraphs + p]}\t${documentIds[doc]}\t${1 + Math.floor(p / 10)}\t${p % 10}\tSection ${p % 7}\tChapter ${p % 3}\t${text}\t${text.length}\textracted\n`;
            }
          }
        }
        function* embeddings() {
          for (let doc = first; doc < last; doc++) {
            for (let p = 0; p < paragraphs; p++) {
              const row = doc * paragraphs + p;
              yield `${embeddingIds[row]}\t${documentIds[doc]}\thierarchical\t${chunkIds[row]}\t${embeddingJson(vectors.vector(row, scratch))}\tgemini-embedding-001\n`;
              loaded++;
              if (loaded % 5_000 === 0) options.onProgress?.(loaded);
            }
          }
        }
        await copyLines(
          client,
          'hierarchical_chunks (id, document_id, page_number, paragraph_index, section_path, chapter_path, text, text_length, extraction_status)',
          chunks(),
        );
        await copyLines(client, 'chunk_embeddings (id, document_id, source_type, source_id, embedding, model)', embeddings());
      }),
    );
    await clients[0]!.query('ANALYZE documents; ANALYZE hierarchical_chunks; ANALYZE chunk_embeddings');
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  return { documentIds, rows: documents * paragraphs, embeddingIds, vectors };
}
