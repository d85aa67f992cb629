import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectClient } from '@mobius/db';
import type { VectorIndex } from '@mobius/vector-index';
import { DEV_DEFAULTS } from './defaults.ts';
import { DevError } from './errors.ts';
import type { DevRag } from './services/rag.ts';

/** One sample of the manifest: its file and the metadata fields of `POST /documents`. */
export interface SampleDocument {
  file: string;
  display_name?: string;
  payer?: string;
  state?: string;
  program?: string;
  authority_level?: string;
  effective_date?: string;
}

const METADATA_FIELDS = ['display_name', 'payer', 'state', 'program', 'authority_level', 'effective_date'] as const;

/**
 * The `published_by` of a sample's publish event. It is also the marker that the sample was loaded:
 * the rag database's own publish history says so, so a restart does not publish it again, and a new
 * (or wiped) rag database gets the samples.
 */
export const samplePublisher = (file: string) => `mobius dev samples: ${file}`;

/** Reads and checks `manifest.json`: every entry names a .md file beside it, every field is a string. */
export async function readManifest(samplesDir: string): Promise<SampleDocument[]> {
  const path = join(samplesDir, 'manifest.json');
  const invalid = (why: string) => new DevError('DEV_SAMPLES', `${path}: ${why}`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new DevError('DEV_SAMPLES', `${path}: ${(error as Error).message}`, { cause: error });
  }
  const documents = (manifest as { documents?: unknown }).documents;
  if (!Array.isArray(documents) || documents.length === 0) throw invalid('documents must be a non-empty array');
  return documents.map((entry: Record<string, unknown>, i) => {
    if (typeof entry?.file !== 'string' || !entry.file.endsWith('.md')) throw invalid(`documents[${i}].file must name a .md file`);
    for (const field of METADATA_FIELDS) {
      if (entry[field] !== undefined && typeof entry[field] !== 'string') throw invalid(`documents[${i}].${field} must be a string`);
    }
    return entry as unknown as SampleDocument;
  });
}

/** The samples whose publish event is not in the rag database yet. */
async function notYetLoaded(ragDatabaseUrl: string, samples: SampleDocument[]): Promise<SampleDocument[]> {
  const client = await connectClient(ragDatabaseUrl, 'mobius-dev');
  try {
    const result = await client.query<{ published_by: string }>(
      'SELECT DISTINCT published_by FROM publish_events WHERE published_by = ANY($1::text[])',
      [samples.map((s) => samplePublisher(s.file))],
    );
    const loaded = new Set(result.rows.map((row) => row.published_by));
    return samples.filter((s) => !loaded.has(samplePublisher(s.file)));
  } finally {
    await client.end();
  }
}

/**
 * One call to the rag API, in process, through its real routes (with the service token when the API is
 * guarded, as `mobius publish` sends it); DEV_SAMPLES with rag's answer when refused.
 */
async function callRag(rag: DevRag, url: string, payload: object, expected: number, what: string): Promise<Record<string, unknown>> {
  const headers = rag.serviceToken ? { authorization: `Bearer ${rag.serviceToken}` } : {};
  const response = await rag.app.inject({ method: 'POST', url, payload, headers });
  const body = response.json() as Record<string, unknown>;
  if (response.statusCode !== expected) {
    const error = (body.error ?? {}) as { code?: string; message?: string };
    throw new DevError('DEV_SAMPLES', `${what}: rag answered ${response.statusCode} ${error.code ?? ''} ${error.message ?? ''}`.trim());
  }
  return body;
}

/**
 * Publishes every sample not loaded yet through the rag API (upload, then publish, as `mobius
 * publish` does), each with its manifest metadata. Returns the ids of the documents published now.
 */
export async function publishSamples(rag: DevRag, samplesDir: string): Promise<string[]> {
  const pending = await notYetLoaded(rag.databaseUrl, await readManifest(samplesDir));
  const texts = await Promise.all(
    pending.map((sample) =>
      readFile(join(samplesDir, sample.file), 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new DevError('DEV_SAMPLES', `cannot read sample ${join(samplesDir, sample.file)}: ${error.code ?? error.message}`, { cause: error });
      }),
    ),
  );
  const published: string[] = [];
  for (const [i, sample] of pending.entries()) {
    const { file, ...metadata } = sample;
    const text = texts[i]!;
    const upload = await callRag(rag, '/documents', { filename: file, text, ...metadata }, 201, `upload of sample ${file}`);
    const id = String(upload.document_id);
    await callRag(rag, `/documents/${id}/publish`, { published_by: samplePublisher(file) }, 200, `publish of sample ${file}`);
    published.push(id);
  }
  return published;
}

/** The ids of the published rows of `documentIds` (what chat and the index must hold). */
async function publishedRowIds(ragDatabaseUrl: string, documentIds: string[]): Promise<string[]> {
  const client = await connectClient(ragDatabaseUrl, 'mobius-dev');
  try {
    const result = await client.query<{ id: string }>('SELECT id::text AS id FROM rag_published_embeddings WHERE document_id = ANY($1::uuid[])', [
      documentIds,
    ]);
    return result.rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

async function chatHolds(chatDatabaseUrl: string, ids: string[]): Promise<number> {
  const client = await connectClient(chatDatabaseUrl, 'mobius-dev');
  try {
    const result = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM published_rag_metadata WHERE id = ANY($1::uuid[])', [ids]);
    return result.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/**
 * Waits until every published row of `documentIds` is in Chat's `published_rag_metadata` and in the
 * vector index: then a search finds them. Resolves with the row count, or undefined after the timeout
 * (or once `signal` aborts).
 */
export async function waitSearchable(
  where: { ragDatabaseUrl: string; chatDatabaseUrl: string; index: VectorIndex; signal?: AbortSignal },
  documentIds: string[],
  timeoutMs: number = DEV_DEFAULTS.samplesSearchableTimeoutMs,
): Promise<number | undefined> {
  const ids = await publishedRowIds(where.ragDatabaseUrl, documentIds);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() <= deadline && !where.signal?.aborted) {
    const [inChat, inIndex] = await Promise.all([chatHolds(where.chatDatabaseUrl, ids), where.index.readDatapoints(ids)]);
    if (inChat === ids.length && inIndex.length === ids.length) return ids.length;
    await new Promise((resolve) => setTimeout(resolve, DEV_DEFAULTS.samplesPollMs));
  }
  return undefined;
}
