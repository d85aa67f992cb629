import { createHash } from 'node:crypto';
import { embeddingProblem, type PublishedRow } from '@mobius/contracts';
import { InvalidSnapshotError, WAREHOUSE_ERROR_CODES as CODES, type WarehouseErrorCode } from './errors.ts';
import type { SnapshotHeader } from './types.ts';

/**
 * Backend-neutral rules of a document snapshot, shared by every adapter: its batch id and what makes
 * its header and rows valid.
 */

/** The namespace of landing batch ids (a fixed random uuid; changing it would re-land every snapshot). */
export const LANDING_BATCH_NAMESPACE = '9b1f6c3e-2d47-4a8e-9f0c-5e6b7a8d9c01';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The landing batch id of a snapshot: a name-based (v5, RFC 9562) uuid of `${documentId}:${version}`
 * in LANDING_BATCH_NAMESPACE, so landing the same document version twice lands it once, on any adapter.
 */
export function landingBatchId(documentId: string, documentVersion: number): string {
  const namespace = Buffer.from(LANDING_BATCH_NAMESPACE.replaceAll('-', ''), 'hex');
  const name = Buffer.from(`${documentId.toLowerCase()}:${documentVersion}`, 'utf8');
  const bytes = createHash('sha1').update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function invalidHeader(header: SnapshotHeader, reason: string): InvalidSnapshotError {
  return new InvalidSnapshotError(
    CODES.snapshotInvalid,
    `snapshot of document ${String(header.documentId)} version ${String(header.documentVersion)}: ${reason}`,
  );
}

/** Throws InvalidSnapshotError unless the header names a uuid document at a non-negative integer version. */
export function validateHeader(header: SnapshotHeader): void {
  if (typeof header.documentId !== 'string' || !UUID.test(header.documentId)) {
    throw invalidHeader(header, 'documentId must be a uuid');
  }
  if (!Number.isSafeInteger(header.documentVersion) || header.documentVersion < 0) {
    throw invalidHeader(header, 'documentVersion must be a non-negative integer');
  }
  if (header.publishEventId !== null && !UUID.test(String(header.publishEventId))) {
    throw invalidHeader(header, 'publishEventId must be a uuid or null');
  }
  if (header.eventType !== 'published' && header.eventType !== 'unpublished') {
    throw invalidHeader(header, "eventType must be 'published' or 'unpublished'");
  }
}

function rowError(header: SnapshotHeader, row: PublishedRow, code: WarehouseErrorCode, reason: string): InvalidSnapshotError {
  const where = `row ${String(row.id)} of document ${header.documentId} version ${header.documentVersion}`;
  return new InvalidSnapshotError(code, `${where}: ${reason}`);
}

/**
 * The rows as the warehouse lands them. Throws InvalidSnapshotError for a row of another document
 * (the snapshot itself is malformed). A row whose embedding cannot be a vector (`embeddingProblem` of
 * @mobius/contracts: missing, not `dimensions` long, an element that is not a finite number) is NOT a
 * reason to refuse the snapshot: it is landed with its metadata and a NULL embedding, so it reaches
 * Chat like any other row, and vertex-sync skips (and reports) only its datapoint. One bad row hurts
 * only itself, as with the batch job this platform replaces, which also skipped only the vector.
 * `rows` is not modified; a row to change is copied.
 */
export function landableRows(header: SnapshotHeader, rows: readonly PublishedRow[], dimensions: number): PublishedRow[] {
  const documentId = header.documentId.toLowerCase();
  return rows.map((row) => {
    if (typeof row.document_id !== 'string' || row.document_id.toLowerCase() !== documentId) {
      const reason = `document_id ${String(row.document_id)} is not the snapshot's document`;
      throw rowError(header, row, CODES.rowDocumentMismatch, reason);
    }
    return embeddingProblem(row.embedding, dimensions) ? { ...row, embedding: null } : row;
  });
}
