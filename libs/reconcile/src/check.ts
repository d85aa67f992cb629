import { DriftTally } from './drift-tally.ts';
import { RECONCILE_DEFAULTS, type CheckOptions, type ReconcileDeps } from './deps.ts';
import { embeddingProblems } from './embedding-problems.ts';
import { chatSource, ledgerSource, ragSource, streamHashedRows, type HashedRow } from './hashed-rows.ts';
import { verifyIndexPresence } from './index-presence.ts';
import { mergeDiff } from './merge-diff.ts';
import type { Target, TargetReport } from './types.ts';

/** Raised when a target cannot be checked at all (exit code 2 of `mobius resync --check`). */
export class ReconcileUnavailableError extends Error {
  readonly code = 'RECONCILE_UNAVAILABLE';
  readonly retryable = false;
}

/** How often a check reports progress, in rows read from RAG. */
const PROGRESS_EVERY_ROWS = 10_000;

/**
 * Compares RAG's current published rows with one target by row hash, streaming both sides in id
 * order (constant memory: only drifted documents are kept). `chat`: RAG's 28 Chat columns against
 * published_rag_metadata. `vertex`: RAG's datapoint-defining columns against the vector ledger, rows
 * the ledger lacks classified as `invalid` when their embedding cannot be indexed, then the ledger
 * confirmed against the index by reads by id (see verifyIndexPresence).
 */
export async function checkTarget(deps: ReconcileDeps, target: Target, options: CheckOptions = {}): Promise<TargetReport> {
  const pageSize = options.pageSize ?? RECONCILE_DEFAULTS.pageSize;
  const tally = new DriftTally(target);
  const progress = () => deps.onProgress?.({ phase: 'check', target, done: tally.ragRows, total: null, unit: 'rows' });
  const onRow = (side: 'source' | 'target') => {
    if (side === 'target') tally.targetRows += 1;
    else if (++tally.ragRows % PROGRESS_EVERY_ROWS === 0) progress();
  };
  const source = streamHashedRows(ragSource(deps.rag, target), pageSize, options.documentId, options.signal);
  if (target === 'chat') {
    const sink = streamHashedRows(chatSource(deps.chat), pageSize, options.documentId, options.signal);
    await mergeDiff(
      source,
      sink,
      (difference) => {
        if (difference.kind === 'extra') tally.add('extra', difference.target.documentId);
        else tally.add(difference.kind, difference.source.documentId);
        if (difference.kind === 'stale' && difference.target.documentId !== difference.source.documentId) {
          tally.add('extra', difference.target.documentId); // a row that moved document: its old document is drifted too
        }
      },
      onRow,
    );
    progress();
    return tally.report();
  }
  if (!deps.index) throw new ReconcileUnavailableError('the vertex target needs a shared vector index (VECTOR_INDEX=vertex or local)');
  const classifier = new InvalidRowClassifier(deps, tally);
  const sink = streamHashedRows(ledgerSource(deps.chat), pageSize, options.documentId, options.signal);
  await mergeDiff(
    source,
    sink,
    async (difference) => {
      if (difference.kind === 'extra') tally.add('extra', difference.target.documentId);
      else await classifier.add(difference.kind, difference.source);
    },
    onRow,
  );
  await classifier.flush();
  progress();
  const indexVerification = await verifyIndexPresence({ rag: deps.rag, chat: deps.chat, index: deps.index }, tally, {
    sample: options.indexSample ?? RECONCILE_DEFAULTS.indexSample,
    pageSize,
    ...(options.documentId ? { documentId: options.documentId } : {}),
  });
  return tally.report({ indexVerification });
}

/**
 * Rows the ledger lacks (or holds differently) are asked about in batches: one whose embedding cannot
 * be indexed is `invalid` with its reason (vertex-sync skipped it, no repair can write it); the rest
 * are `missing` or `stale`.
 */
class InvalidRowClassifier {
  private pending: { kind: 'missing' | 'stale'; row: HashedRow }[] = [];

  constructor(
    private readonly deps: ReconcileDeps,
    private readonly tally: DriftTally,
  ) {}

  async add(kind: 'missing' | 'stale', row: HashedRow): Promise<void> {
    this.pending.push({ kind, row });
    if (this.pending.length >= RECONCILE_DEFAULTS.classifyBatch) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const problems = await embeddingProblems(
      this.deps.rag,
      batch.map((p) => p.row.id),
      this.deps.dimensions,
    );
    for (const { kind, row } of batch) {
      const problem = problems.get(row.id);
      if (problem === undefined) this.tally.add(kind, row.documentId);
      else if (kind === 'stale')
        this.tally.add('stale', row.documentId); // the ledger holds an id RAG can no longer index: remove it
      else this.tally.invalid(row.documentId, problem);
    }
  }
}
