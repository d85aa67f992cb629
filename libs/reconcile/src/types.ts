/**
 * Reconciliation (docs/reconcile.md): RAG's current published rows are the truth; each target is a
 * copy of them that events alone cannot keep exact (hard deletes, hand edits, a wiped index, rows the
 * old batch job left).
 */

/** What a check compares RAG with: Chat's published_rag_metadata, or the vector index (via its ledger). */
export type Target = 'chat' | 'vertex';
export const TARGETS: readonly Target[] = ['chat', 'vertex'];

/** The sink whose lock, versions and sync_runs a target's repair shares. */
export const SINK_OF_TARGET: Record<Target, string> = { chat: 'chat-sync', vertex: 'vertex-sync' };

/** One document's drift in one target. */
export interface DocumentDrift {
  documentId: string;
  /** In RAG, not in the target. */
  missing: number;
  /** In the target, not in RAG. */
  extra: number;
  /** In both, but different (row hash). */
  stale: number;
  /** In RAG but cannot be written to the target (reported, never counted as drift). */
  invalid: number;
  /** Why rows are invalid (distinct reasons, at most a few). */
  reasons: string[];
}

/** A target's check result. */
export interface TargetReport {
  target: Target;
  /** Rows read from RAG and from the target. */
  ragRows: number;
  targetRows: number;
  missing: number;
  extra: number;
  stale: number;
  invalid: number;
  /** Datapoints the ledger lists that were read back from the index by id, and how many were absent. */
  indexVerification?: { mode: 'sample' | 'all'; read: number; absent: number };
  /** Drifted documents (and documents with invalid rows), by document id. */
  documents: DocumentDrift[];
}

/** True when a report shows drift a repair can fix (invalid rows do not count). */
export function hasDrift(report: Pick<TargetReport, 'missing' | 'extra' | 'stale'>): boolean {
  return report.missing + report.extra + report.stale > 0;
}

/** Progress of a long pass, for a progress bar or a log line. */
export interface ProgressEvent {
  phase: 'check' | 'repair';
  target: Target;
  done: number;
  total: number | null;
  unit: 'rows' | 'documents';
}

export type ProgressListener = (event: ProgressEvent) => void;
