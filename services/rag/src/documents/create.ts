import { randomUUID } from 'node:crypto';
import type { Embedder } from '@mobius/embedder';
import type { DocumentStore } from '../repository/types.ts';
import { buildContent, chunkDocument } from './content.ts';
import { parseDocumentBody } from './input.ts';

export interface DocumentDeps {
  documents: DocumentStore;
  embedder: Embedder;
}

/**
 * `POST /documents`: validates the upload, chunks and embeds it (before the transaction, since
 * embedding may call a remote model), then stores the document, its pages, chunks and embeddings in
 * one transaction. Returns the new document's id.
 */
export async function createDocument(deps: DocumentDeps, body: unknown): Promise<string> {
  const { metadata, text } = parseDocumentBody(body);
  const content = await buildContent(chunkDocument(text), deps.embedder);
  const documentId = randomUUID();
  await deps.documents.insertDocument(documentId, metadata, content);
  return documentId;
}
