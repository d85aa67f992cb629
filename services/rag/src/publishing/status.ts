import { documentNotFound } from '../errors.ts';
import type { PublishingStore } from '../repository/types.ts';

/** `GET /documents/{id}/publish-status` as docs/contracts.md, "The RAG database" shapes it. */
export type PublishStatus =
  | { published: false }
  | {
      published: true;
      published_at: string;
      published_by: string | null;
      rows_written: number;
      verification_passed: boolean | null;
      verification_message: string | null;
    };

/**
 * A document is published when its latest publish event is a publish (rows from the existing app are
 * all publishes). A deleted document with history answers `{published: false}`; an id with neither
 * a document nor any event is a 404.
 */
export async function publishStatus(publishing: PublishingStore, documentId: string): Promise<PublishStatus> {
  const latest = await publishing.latestEvent(documentId);
  if (!latest) {
    if (await publishing.documentExists(documentId)) return { published: false };
    throw documentNotFound(documentId);
  }
  if (latest.eventType !== 'published') return { published: false };
  return {
    published: true,
    published_at: latest.publishedAt,
    published_by: latest.publishedBy,
    rows_written: latest.rowsWritten,
    verification_passed: latest.verificationPassed,
    verification_message: latest.verificationMessage,
  };
}
