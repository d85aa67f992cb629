import { createServiceVectorIndex } from '@mobius/backends';
import { loadPipelineConfig, type VectorIndexSettings } from '@mobius/config';
import { createPool } from '@mobius/db';
import {
  ReconcileUnavailableError,
  TARGETS,
  finalReport,
  hasDrift,
  quarantinedEventCount,
  reconcile,
  type Target,
  type TargetOutcome,
  type TargetReport,
} from '@mobius/reconcile';
import { seedLedgerFromChat } from '@mobius/sink-state';
import type { VectorIndex } from '@mobius/vector-index';
import type { CliIO } from '../io.ts';
import { CommandExit } from '../command-exit.ts';
import { announceTarget, databaseItem, indexItem, resolveCliEnv } from '../runtime/index.ts';
import { reconcileProgress } from './resync-progress.ts';

export interface ResyncCommandOptions {
  check?: boolean;
  repair?: boolean;
  seedLedger?: boolean;
  target?: 'chat' | 'vertex' | 'all';
  document?: string;
  json?: boolean;
  /** Ledger ids read back from the index: a number, or `all`. */
  verifyIndex?: string;
  /** The data directory of the `mobius dev` whose databases and index to use when no variable names them. */
  dataDir?: string;
}

/** Documents listed per target in the human form; `--json` lists them all. */
const LISTED_DOCUMENTS = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ResyncCommandError extends Error {
  readonly code = 'RESYNC_INPUT';
  readonly retryable = false;
}

function parseOptions(options: ResyncCommandOptions) {
  const modes = [options.check, options.repair, options.seedLedger].filter(Boolean).length;
  if (modes !== 1) throw new ResyncCommandError('say exactly one of --check, --repair or --seed-ledger');
  if (options.document && !UUID.test(options.document)) throw new ResyncCommandError(`--document must be a uuid (got ${options.document})`);
  const sample: number | 'all' | undefined =
    options.verifyIndex === undefined ? undefined : options.verifyIndex === 'all' ? 'all' : Number(options.verifyIndex);
  if (typeof sample === 'number' && !(Number.isSafeInteger(sample) && sample >= 0)) {
    throw new ResyncCommandError(`--verify-index must be a number of datapoints or all (got ${options.verifyIndex})`);
  }
  return { sample, documentId: options.document?.toLowerCase() };
}

/**
 * `mobius resync`: compares RAG's published rows with Chat and the vector index (docs/reconcile.md).
 * `--check` reports drift and exits like diff: 0 none, 1 drift, 2 could not check. `--repair` repairs
 * it through the sinks' own guards and exits 0 when nothing is left. `--seed-ledger` records, at
 * cutover, the datapoints the old job wrote (Chat's ids) so the vector check can see them.
 */
export async function resyncCommand(options: ResyncCommandOptions, io: CliIO): Promise<void> {
  const { sample, documentId } = parseOptions(options);
  const resolved = await resolveCliEnv(io, options);
  const pipeline = loadPipelineConfig(resolved.env);
  const wanted: Target[] = options.target === 'chat' || options.target === 'vertex' ? [options.target] : [...TARGETS];
  const indexShared = pipeline.vectorIndex.kind !== 'memory';
  const index = { ...indexItem(resolved.env), value: describeIndex(pipeline.vectorIndex) };
  announceTarget(io, 'resync', resolved, [
    databaseItem('rag (read)', pipeline.ragDatabaseUrl),
    databaseItem('chat', pipeline.chatDatabaseUrl),
    index,
  ]);
  const progress = reconcileProgress(io);
  const rag = createPool(pipeline.ragDatabaseUrl, { applicationName: 'mobius-resync' });
  const chat = createPool(pipeline.chatDatabaseUrl, { applicationName: 'mobius-resync' });
  let vectorIndex: VectorIndex | undefined;
  try {
    if (options.seedLedger) {
      const client = await chat.connect();
      try {
        io.out(`seeded the vector ledger with ${await seedLedgerFromChat(client)} datapoint ids from published_rag_metadata`);
      } finally {
        client.release();
      }
      return;
    }
    if (!indexShared && options.target === 'vertex') {
      throw new CommandExit(
        2,
        'the vertex target cannot be checked with VECTOR_INDEX=memory (the index lives inside vertex-sync); set VECTOR_INDEX=vertex or local',
      );
    }
    const targets = indexShared ? wanted : wanted.filter((t) => t !== 'vertex');
    if (targets.length < wanted.length) io.err('resync: VECTOR_INDEX=memory lives inside vertex-sync: checking chat only');
    if (targets.includes('vertex')) vectorIndex = await createServiceVectorIndex('mobius', pipeline);
    const outcomes = await reconcile(
      { rag, chat, dimensions: pipeline.embeddingDimensions, onProgress: progress.onProgress, ...(vectorIndex ? { index: vectorIndex } : {}) },
      {
        mode: options.repair ? 'repair' : 'check',
        targets,
        ...(documentId ? { documentId } : {}),
        ...(sample !== undefined ? { indexSample: sample } : {}),
      },
    );
    progress.finish();
    const quarantined = await quarantinedEventCount(rag);
    if (options.json) io.out(JSON.stringify(jsonReport(outcomes, quarantined), null, 2));
    else printReport(io, outcomes, quarantined);
    if (outcomes.some((outcome) => hasDrift(finalReport(outcome)))) throw new CommandExit(1);
  } catch (error) {
    if (error instanceof CommandExit || error instanceof ResyncCommandError) throw error;
    const reason = error instanceof ReconcileUnavailableError ? error.message : describe(error);
    throw new CommandExit(2, `could not ${options.repair ? 'repair' : 'check'}: ${reason}`);
  } finally {
    progress.finish();
    await vectorIndex?.close();
    await Promise.all([rag.end(), chat.end()]);
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

function describeIndex(settings: VectorIndexSettings): string {
  if (settings.kind === 'local') return `local ${settings.url}`;
  if (settings.kind === 'vertex') return `vertex ${settings.resources.indexId}`;
  return 'memory (not shared)';
}

/** `--json`: one object per target with the counts and the drifted documents. */
function jsonReport(outcomes: readonly TargetOutcome[], quarantined: number) {
  return {
    targets: outcomes.map((outcome) => {
      const report = finalReport(outcome);
      return {
        target: report.target,
        missing: report.missing,
        extra: report.extra,
        stale: report.stale,
        invalid: report.invalid,
        rag_rows: report.ragRows,
        target_rows: report.targetRows,
        ...(report.indexVerification ? { index_verification: report.indexVerification } : {}),
        ...(outcome.repaired ? { found: counts(outcome.found), repaired: outcome.repaired } : {}),
        documents: report.documents.map((d) => ({
          document_id: d.documentId,
          missing: d.missing,
          extra: d.extra,
          stale: d.stale,
          invalid: d.invalid,
          ...(d.reasons.length > 0 ? { reasons: d.reasons } : {}),
        })),
      };
    }),
    quarantined_events: quarantined,
  };
}

const counts = (r: TargetReport) => ({ missing: r.missing, extra: r.extra, stale: r.stale, invalid: r.invalid });

function printReport(io: CliIO, outcomes: readonly TargetOutcome[], quarantined: number): void {
  for (const outcome of outcomes) {
    if (outcome.repaired) {
      const f = outcome.found;
      const r = outcome.repaired;
      io.out(
        `${outcome.target}: found ${f.missing} missing, ${f.extra} extra, ${f.stale} stale; repaired ${r.documents} documents (${r.written} writes, ${r.removed} removals${r.skipped ? `, ${r.skipped} left to the sink, which is ahead` : ''})`,
      );
    }
    const report = finalReport(outcome);
    const verified = report.indexVerification
      ? `; ${report.indexVerification.read} datapoints read back from the index, ${report.indexVerification.absent} absent`
      : '';
    io.out(
      `${report.target}: ${report.missing} missing, ${report.extra} extra, ${report.stale} stale, ${report.invalid} invalid (RAG ${report.ragRows} rows, ${report.target === 'chat' ? 'Chat' : 'ledger'} ${report.targetRows}${verified})`,
    );
    for (const d of report.documents.slice(0, LISTED_DOCUMENTS)) {
      const parts = (['missing', 'extra', 'stale', 'invalid'] as const).filter((k) => d[k] > 0).map((k) => `${k} ${d[k]}`);
      io.out(`  ${d.documentId}  ${parts.join(', ')}${d.reasons.length ? `  (${d.reasons.join('; ')})` : ''}`);
    }
    if (report.documents.length > LISTED_DOCUMENTS)
      io.out(`  ... and ${report.documents.length - LISTED_DOCUMENTS} more documents (--json lists all)`);
  }
  if (quarantined > 0) io.out(`outbox: ${quarantined} publish events quarantined (the event schema refuses them; see docs/poison-isolation.md)`);
}
