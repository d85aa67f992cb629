/**
 * What the rag service stores, as the domain sees it. Only the files of this folder know SQL; the
 * handlers, publishing and the outbox relay get these interfaces.
 */
import type { Page } from '../chunking/markdown.ts';

/** A document's metadata as uploaded; `null` for a field not given. */
export interface DocumentMetadata {
  filename: string;
  displayName: string | null;
  payer: string | null;
  state: string | null;
  program: string | null;
  authorityLevel: string | null;
  effectiveDate: string | null;
  terminationDate: string | null;
}

/** A hierarchical chunk to insert (its id chosen by the caller). */
export interface NewChunk {
  id: string;
  pageNumber: number;
  paragraphIndex: number;
  sectionPath: string;
  chapterPath: string;
  text: string;
  summary: string;
  startOffset: number;
}

/** The embedding of one hierarchical chunk (`chunk_embeddings`); its id becomes the published row id. */
export interface NewEmbedding {
  id: string;
  sourceId: string;
  embedding: number[];
  model: string;
}

/** A stored chunk as PUT compares it with the new content. */
export interface StoredChunk {
  id: string;
  pageNumber: number;
  sectionPath: string;
  chapterPath: string;
  text: string;
  /** Its `chunk_embeddings.id`, or null when it was never embedded. */
  embeddingId: string | null;
}

/** A whole new content: every page, chunk and embedding. */
export interface DocumentContent {
  pages: Page[];
  chunks: NewChunk[];
  embeddings: NewEmbedding[];
}

/** How PUT turns the stored chunks into the new ones. */
export interface ContentReplacement {
  pages: Page[];
  /** Chunks that stay, with their new position in the page. */
  kept: { id: string; paragraphIndex: number; startOffset: number }[];
  removedIds: string[];
  added: NewChunk[];
  /** Embeddings of the added chunks and of kept chunks that had none. */
  embeddings: NewEmbedding[];
}

/** Which documents `GET /documents` lists. */
export interface DocumentListFilter {
  /** Only documents of this exact filename (how `mobius publish` finds the one to replace). */
  filename?: string;
  limit: number;
}

/** One document as `GET /documents` lists it. Timestamps are ISO 8601 UTC with microseconds. */
export interface DocumentSummary {
  id: string;
  filename: string;
  displayName: string | null;
  payer: string | null;
  state: string | null;
  program: string | null;
  authorityLevel: string | null;
  createdAt: string;
  updatedAt: string;
  /** Its latest publish event is a publish. */
  published: boolean;
  /** That publish's time; null when not published. */
  publishedAt: string | null;
  /** Its latest document version (publish, unpublish); null when never published. */
  version: number | null;
}

export interface DocumentStore {
  /** The documents `filter` selects, ordered by filename, then upload time. */
  listDocuments(filter: DocumentListFilter): Promise<DocumentSummary[]>;
  /** Inserts the document with its pages, chunks and embeddings in one transaction. */
  insertDocument(id: string, metadata: DocumentMetadata, content: DocumentContent): Promise<void>;
  /** The document's chunks, or undefined when there is no such document. */
  listChunks(documentId: string): Promise<StoredChunk[] | undefined>;
  /**
   * In one transaction, with the document's row locked against other writers: reads its chunks,
   * asks `plan` how to replace them, and applies the plan and the new metadata. Returns false (and
   * writes nothing) when there is no such document.
   */
  replaceDocument(documentId: string, metadata: DocumentMetadata, plan: (existing: StoredChunk[]) => Promise<ContentReplacement>): Promise<boolean>;
}

/** One `publish_events` row, as publish-status reports it. Timestamps are ISO 8601 UTC with microseconds. */
export interface PublishEventRecord {
  id: string;
  documentId: string;
  eventType: 'published' | 'unpublished';
  /** Null on rows the existing RAG app wrote. */
  documentVersion: number | null;
  publishedAt: string;
  publishedBy: string | null;
  rowsWritten: number;
  verificationPassed: boolean | null;
  verificationMessage: string | null;
}

/** A publish_events row our service writes; `publishedAt` is the text `now()` returned. */
export type NewPublishEvent = Omit<PublishEventRecord, 'documentId'>;

/** A chunk embedding that cannot be published, and why. */
export interface EmbeddingProblem {
  embeddingId: string;
  problem: string;
}

/** The operations of one publish/unpublish/delete transaction, all on one document, under its version lock. */
export interface DocumentVersionTx {
  /** Locks the document row against concurrent content changes; false when there is no such document. */
  lockDocument(): Promise<boolean>;
  /** Stored embeddings of the document's chunks that are not `dimensions` finite numbers. */
  findEmbeddingProblems(dimensions: number, limit: number): Promise<EmbeddingProblem[]>;
  /** The embedded chunks that a publish turns into rows: their source id and text. */
  listPublishableChunks(): Promise<{ sourceId: string; text: string }[]>;
  /**
   * The next document version: one more than the greatest of the stored counter, the number of the
   * document's publish events (rows the existing app wrote count too) and their greatest version.
   * Stores it as the counter.
   */
  allocateVersion(): Promise<number>;
  /** The clock, read after the lock was taken (so versions and times of one document agree). */
  now(): Promise<string>;
  /** Deletes the document's published rows and inserts one per publishable chunk; returns how many. */
  replacePublishedRows(publishedAt: string, contentShas: Map<string, string>): Promise<number>;
  /** Deletes the document's published rows; returns how many. */
  deletePublishedRows(): Promise<number>;
  /** Deletes the document and, by cascade, its pages, chunks and embeddings. */
  deleteDocument(): Promise<void>;
  /** Inserts the event and notifies the outbox relay (`pg_notify('mobius_outbox', id)`). */
  insertEvent(event: NewPublishEvent): Promise<void>;
}

export interface PublishingStore {
  /**
   * Runs `work` in one transaction holding the document's row of `document_versions` (inserted if
   * missing), so publishes, unpublishes and deletes of one document run one after the other.
   * Commits when `work` resolves; rolls everything back when it throws.
   */
  withDocumentVersionLock<T>(documentId: string, work: (tx: DocumentVersionTx) => Promise<T>): Promise<T>;
  /** The document's latest publish event (by time, then version, then id), if any. */
  latestEvent(documentId: string): Promise<PublishEventRecord | undefined>;
  documentExists(documentId: string): Promise<boolean>;
}

/** A publish event the relay has to send. */
export interface OutboxEvent {
  id: string;
  documentId: string;
  eventType: 'published' | 'unpublished';
  documentVersion: number | null;
  /** ISO 8601 UTC with microseconds. */
  publishedAt: string;
  rowsWritten: number;
}

/** What the relay may do with a claimed batch, inside the claim's transaction. */
export interface OutboxBatch {
  markRelayed(eventIds: string[]): Promise<void>;
  /** Counts a failed attempt and keeps its error on the event; it stays unrelayed. */
  recordFailure(eventId: string, error: string): Promise<void>;
  /**
   * Sets the event aside for good: `relay_quarantined_at` is set and `reason` kept in `relay_error`.
   * It stays unrelayed, is never claimed again and no longer holds back later events of its document.
   * Only for events that can never be sent (the event schema refuses them), never for bus failures.
   */
  quarantine(eventId: string, reason: string): Promise<void>;
}

/** A `publish_events` row the relay quarantined, and why. */
export interface QuarantinedEvent {
  id: string;
  /** Null when the row has none (the existing app's table may allow it). */
  documentId: string | null;
  /** Why the event schema refused it (the `relay_error` column). */
  reason: string;
  quarantinedAt: Date;
}

export interface OutboxListener {
  close(): Promise<void>;
}

export interface OutboxStore {
  /**
   * In one transaction: claims up to `limit` unrelayed events, oldest first, skipping events another
   * relay has claimed (FOR UPDATE SKIP LOCKED), runs `work` on them, and commits.
   */
  withUnrelayedBatch<T>(limit: number, work: (events: OutboxEvent[], batch: OutboxBatch) => Promise<T>): Promise<T>;
  /** How many events are quarantined (for the metrics). */
  countQuarantined(): Promise<number>;
  /** Calls `onNotify` on every `mobius_outbox` notification until closed; reconnects after errors. */
  listen(onNotify: () => void, onError: (error: Error) => void): Promise<OutboxListener>;
}

/** Everything the rag service stores. */
export interface RagRepository {
  documents: DocumentStore;
  publishing: PublishingStore;
  outbox: OutboxStore;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
}
