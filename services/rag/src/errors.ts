/**
 * The rag API's error catalogue: every error a client can get, with its stable code. The service's
 * one error handler (@mobius/service) turns them into `{ error: { code, message } }` and the status.
 */
import { HttpError } from '@mobius/service';
import type { EmbeddingProblem } from './repository/types.ts';

export const RAG_ERROR_CODES = {
  /** 400: the body is not what the route takes; the message names the field. */
  invalidBody: 'INVALID_BODY',
  /** 400: the text has no paragraph to chunk (only headings or page markers). */
  emptyDocument: 'DOCUMENT_EMPTY',
  /** 400: the document id in the path is not a uuid. */
  invalidDocumentId: 'INVALID_DOCUMENT_ID',
  /** 404: no document has this id. */
  documentNotFound: 'DOCUMENT_NOT_FOUND',
  /** 422: stored embeddings of the document cannot be published (wrong dimension, NaN, ...). */
  invalidEmbedding: 'EMBEDDING_INVALID',
} as const;

export const invalidBody = (message: string) => new HttpError(400, RAG_ERROR_CODES.invalidBody, message);

export const emptyDocument = () =>
  new HttpError(400, RAG_ERROR_CODES.emptyDocument, 'text has no paragraph to chunk (only headings or page markers)');

export const invalidDocumentId = (id: string) =>
  new HttpError(400, RAG_ERROR_CODES.invalidDocumentId, `id must be a uuid, got ${JSON.stringify(id.slice(0, 64))}`);

export const documentNotFound = (id: string) => new HttpError(404, RAG_ERROR_CODES.documentNotFound, `document ${id} does not exist`);

/** Names how many embeddings are unusable and the first few, so an operator can find them. */
export function invalidEmbeddings(documentId: string, problems: EmbeddingProblem[], dimensions: number) {
  const examples = problems
    .slice(0, 3)
    .map((p) => `chunk_embeddings ${p.embeddingId} ${p.problem}`)
    .join('; ');
  const count = problems.length >= EMBEDDING_PROBLEMS_REPORTED ? `at least ${problems.length}` : `${problems.length}`;
  return new HttpError(
    422,
    RAG_ERROR_CODES.invalidEmbedding,
    `document ${documentId} cannot be published: ${count} stored embedding(s) not ${dimensions} finite numbers (${examples}); nothing was written`,
  );
}

/** How many bad embeddings a publish looks for before refusing (the message shows the first 3). */
export const EMBEDDING_PROBLEMS_REPORTED = 100;
