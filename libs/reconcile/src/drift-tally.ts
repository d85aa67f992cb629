import type { DocumentDrift, Target, TargetReport } from './types.ts';

/** Most reasons kept per document: the first few say enough. */
const MAX_REASONS_PER_DOCUMENT = 3;

/**
 * Counts drift per document while a check streams. Memory grows with the drifted documents only,
 * never with the rows checked.
 */
export class DriftTally {
  private readonly documents = new Map<string, DocumentDrift>();
  ragRows = 0;
  targetRows = 0;

  constructor(private readonly target: Target) {}

  private of(documentId: string): DocumentDrift {
    let drift = this.documents.get(documentId);
    if (!drift) {
      drift = { documentId, missing: 0, extra: 0, stale: 0, invalid: 0, reasons: [] };
      this.documents.set(documentId, drift);
    }
    return drift;
  }

  add(kind: 'missing' | 'extra' | 'stale', documentId: string, count = 1): void {
    this.of(documentId)[kind] += count;
  }

  invalid(documentId: string, reason: string): void {
    const drift = this.of(documentId);
    drift.invalid += 1;
    if (drift.reasons.length < MAX_REASONS_PER_DOCUMENT && !drift.reasons.includes(reason)) drift.reasons.push(reason);
  }

  report(extra: Partial<TargetReport> = {}): TargetReport {
    const documents = [...this.documents.values()].sort((a, b) => (a.documentId < b.documentId ? -1 : 1));
    const sum = (kind: 'missing' | 'extra' | 'stale' | 'invalid') => documents.reduce((total, d) => total + d[kind], 0);
    return {
      target: this.target,
      ragRows: this.ragRows,
      targetRows: this.targetRows,
      missing: sum('missing'),
      extra: sum('extra'),
      stale: sum('stale'),
      invalid: sum('invalid'),
      ...extra,
      documents,
    };
  }
}
