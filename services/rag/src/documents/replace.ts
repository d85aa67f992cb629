import type { ChunkedDocument } from '../chunking/markdown.ts';
import { documentNotFound } from '../errors.ts';
import type { ContentReplacement, StoredChunk } from '../repository/types.ts';
import { EmbeddingCache, chunkDocument, newChunk } from './content.ts';
import type { DocumentDeps } from './create.ts';
import { parseDocumentBody } from './input.ts';
import { matchChunks } from './matching.ts';

/** The texts a replacement must embed: added chunks, and kept chunks that were never embedded. */
function textsToEmbed(stored: StoredChunk[], chunked: ChunkedDocument): string[] {
  const match = matchChunks(stored, chunked.chunks);
  return [...match.added, ...match.kept.filter((k) => k.stored.embeddingId === null).map((k) => k.chunk)].map((chunk) => chunk.text);
}

/** Turns the stored chunks and the new chunking into the replacement the repository applies. */
async function planReplacement(stored: StoredChunk[], chunked: ChunkedDocument, cache: EmbeddingCache): Promise<ContentReplacement> {
  const match = matchChunks(stored, chunked.chunks);
  const added = match.added.map(newChunk);
  const unembedded = match.kept.filter((k) => k.stored.embeddingId === null).map((k) => k.stored);
  const toEmbed = [...added, ...unembedded];
  await cache.prepare(toEmbed.map((chunk) => chunk.text));
  return {
    pages: chunked.pages,
    kept: match.kept.map(({ chunk, stored: s }) => ({
      id: s.id,
      paragraphIndex: chunk.paragraphIndex,
      startOffset: chunk.startOffset,
    })),
    removedIds: match.removed.map((chunk) => chunk.id),
    added,
    embeddings: cache.embeddingsFor(toEmbed),
  };
}

/**
 * `PUT /documents/{id}`: replaces the document's metadata and content. Chunks with the same page,
 * chapter, section and text keep their ids and their embeddings (so their published row ids stay);
 * changed or new chunks get new ids; chunks no longer there are deleted. Embeds what it expects to
 * need before the transaction, and, should another writer have changed the chunks meanwhile, what
 * is still missing inside it. A 404 when there is no such document.
 */
export async function replaceDocument(deps: DocumentDeps, documentId: string, body: unknown): Promise<void> {
  const { metadata, text } = parseDocumentBody(body);
  const chunked = chunkDocument(text);
  const current = await deps.documents.listChunks(documentId);
  if (current === undefined) throw documentNotFound(documentId);
  const cache = new EmbeddingCache(deps.embedder);
  await cache.prepare(textsToEmbed(current, chunked));
  const replaced = await deps.documents.replaceDocument(documentId, metadata, (stored) => planReplacement(stored, chunked, cache));
  if (!replaced) throw documentNotFound(documentId);
}
