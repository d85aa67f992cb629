import { randomUUID } from 'node:crypto';
import type { Embedder } from '@mobius/embedder';
import { chunkMarkdown, type Chunk, type ChunkedDocument } from '../chunking/markdown.ts';
import { emptyDocument } from '../errors.ts';
import type { DocumentContent, NewChunk, NewEmbedding } from '../repository/types.ts';

/**
 * Chunk summaries: '' for now (an LLM summary is the existing app's job; a first-sentence "summary"
 * would only repeat the text in the embedding). docs/contracts.md allows ''.
 */
export const CHUNK_SUMMARY = '';

/** What the embedder sees for a chunk (docs/contracts.md, "The RAG database"): the summary, a newline, the text. */
export function embeddingInput(summary: string, text: string): string {
  return `${summary}\n${text}`;
}

/** Chunks the markdown; a 400 when it has no paragraph at all. */
export function chunkDocument(text: string): ChunkedDocument {
  const chunked = chunkMarkdown(text);
  if (chunked.chunks.length === 0) throw emptyDocument();
  return chunked;
}

/** A new chunk row (fresh id) for a chunk of the chunker. */
export function newChunk(chunk: Chunk): NewChunk {
  return {
    id: randomUUID(),
    pageNumber: chunk.pageNumber,
    paragraphIndex: chunk.paragraphIndex,
    sectionPath: chunk.sectionPath,
    chapterPath: chunk.chapterPath,
    text: chunk.text,
    summary: CHUNK_SUMMARY,
    startOffset: chunk.startOffset,
  };
}

/**
 * Embeds chunk texts once each: the same text always gets the same vector, so a cache keyed by
 * text lets PUT embed outside its transaction and only rarely inside it.
 */
export class EmbeddingCache {
  private readonly vectors = new Map<string, number[]>();

  constructor(private readonly embedder: Embedder) {}

  /** Embeds every text not embedded yet. */
  async prepare(texts: string[]): Promise<void> {
    const missing = [...new Set(texts)].filter((text) => !this.vectors.has(text));
    if (missing.length === 0) return;
    const vectors = await this.embedder.embed(missing.map((text) => embeddingInput(CHUNK_SUMMARY, text)));
    for (const [index, text] of missing.entries()) this.vectors.set(text, vectors[index]!);
  }

  /** New `chunk_embeddings` rows (fresh ids) for `chunks`; `prepare` must have seen their texts. */
  embeddingsFor(chunks: { id: string; text: string }[]): NewEmbedding[] {
    return chunks.map((chunk) => ({
      id: randomUUID(),
      sourceId: chunk.id,
      embedding: this.vectors.get(chunk.text)!,
      model: this.embedder.model,
    }));
  }
}

/** The whole content of a new document: its pages, a chunk per paragraph and an embedding per chunk. */
export async function buildContent(chunked: ChunkedDocument, embedder: Embedder): Promise<DocumentContent> {
  const chunks = chunked.chunks.map(newChunk);
  const cache = new EmbeddingCache(embedder);
  await cache.prepare(chunks.map((chunk) => chunk.text));
  return { pages: chunked.pages, chunks, embeddings: cache.embeddingsFor(chunks) };
}
