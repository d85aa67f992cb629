// The checker: compares Chat's published_rag_metadata and the vector index with RAG's
// rag_published_embeddings, the truth, and waits (bounded) for them to converge.
//  lost       in RAG, not in the copy
//  duplicated the same id twice in the copy (Chat's primary key forbids it; the index is listed)
//  stale      in both, with different values (any of the 28 Chat columns; a datapoint's vector,
//             restricts or crowding tag)
//  phantom    in the copy, not in RAG
import { CHAT_COLUMNS } from '@mobius/contracts';
import { CHAT_PUBLISHED_ROWS_SQL, comparableColumns } from '@mobius/test-support';
import { createVectorIndex, RESTRICT_NAMESPACES, type Datapoint, type VectorIndex } from '@mobius/vector-index';
import type pg from 'pg';
import { sleep } from './cluster/ports.ts';

export interface Drift {
  lost: number;
  duplicated: number;
  stale: number;
  phantom: number;
  /** A few offending ids with what is wrong, for the report. */
  examples: string[];
}

export interface Comparison {
  ragRows: number;
  chat: Drift;
  index: Drift;
}

export const CHECKER_DEFAULTS = {
  /** Datapoints read per call. */
  readBatch: 100,
  /** A vector component may differ by this much (the index stores float32). */
  vectorTolerance: 1e-5,
  pollMs: 500,
  examples: 5,
} as const;

type Row = Record<string, string | null>;

const emptyDrift = (): Drift => ({ lost: 0, duplicated: 0, stale: 0, phantom: 0, examples: [] });

function note(drift: Drift, kind: keyof Omit<Drift, 'examples'>, example: string) {
  drift[kind]++;
  if (drift.examples.length < CHECKER_DEFAULTS.examples) drift.examples.push(`${kind} ${example}`);
}

function compareChat(truth: Map<string, Row>, chat: Row[]): Drift {
  const drift = emptyDrift();
  const seen = new Set<string>();
  for (const row of chat) {
    const id = row.id!;
    if (seen.has(id)) note(drift, 'duplicated', id);
    seen.add(id);
    const expected = truth.get(id);
    if (!expected) {
      note(drift, 'phantom', `${id} (document ${row.document_id})`);
      continue;
    }
    const differing = CHAT_COLUMNS.map((c) => c.name).filter((name) => expected[name] !== row[name]);
    if (differing.length > 0) note(drift, 'stale', `${id}: ${differing.slice(0, 4).join(', ')}`);
  }
  for (const id of truth.keys()) if (!seen.has(id)) note(drift, 'lost', `${id} (document ${truth.get(id)!.document_id})`);
  return drift;
}

function datapointDiffers(point: Datapoint, row: Row, embedding: number[] | null): string | undefined {
  if (point.crowdingTag?.crowdingAttribute !== row.document_id) return 'crowding tag';
  for (const namespace of RESTRICT_NAMESPACES) {
    const restrict = point.restricts.find((r) => r.namespace === namespace);
    if (restrict?.allowList[0] !== (row[namespace] ?? '')) return `restrict ${namespace}`;
  }
  if (!embedding || embedding.length !== point.featureVector.length) return 'vector length';
  if (embedding.some((value, i) => Math.abs(value - point.featureVector[i]!) > CHECKER_DEFAULTS.vectorTolerance)) return 'vector';
  return undefined;
}

async function compareIndex(index: VectorIndex, truth: Map<string, Row>, embeddings: Map<string, number[] | null>): Promise<Drift> {
  const drift = emptyDrift();
  const ids = await index.listDatapointIds();
  const distinct = new Set(ids);
  for (let i = 1; i < ids.length; i++) if (ids[i] === ids[i - 1]) note(drift, 'duplicated', ids[i]!);
  for (const id of distinct) if (!truth.has(id)) note(drift, 'phantom', id);
  for (const id of truth.keys()) if (!distinct.has(id)) note(drift, 'lost', `${id} (document ${truth.get(id)!.document_id})`);
  const both = [...distinct].filter((id) => truth.has(id));
  for (let i = 0; i < both.length; i += CHECKER_DEFAULTS.readBatch) {
    const points = await index.readDatapoints(both.slice(i, i + CHECKER_DEFAULTS.readBatch));
    for (const point of points) {
      const why = datapointDiffers(point, truth.get(point.datapointId)!, embeddings.get(point.datapointId) ?? null);
      if (why) note(drift, 'stale', `${point.datapointId}: ${why}`);
    }
  }
  return drift;
}

export interface Checker {
  compare(): Promise<Comparison>;
  /**
   * Compares until nothing differs or `timeoutMs` passes; returns the last comparison and how long
   * it took (from the call) to converge, or undefined when it did not.
   */
  waitConverged(timeoutMs: number): Promise<{ comparison: Comparison; convergedMs: number | undefined }>;
  close(): Promise<void>;
}

export const clean = (c: Comparison) => [c.chat, c.index].every((d) => d.lost + d.duplicated + d.stale + d.phantom === 0);

export async function createChecker(rag: pg.Pool, chat: pg.Pool, vectorIndexUrl: string, dimensions: number): Promise<Checker> {
  const index = await createVectorIndex({ kind: 'local', dimensions, url: vectorIndexUrl });
  const compare = async (): Promise<Comparison> => {
    const [truthRows, chatRows] = await Promise.all([
      rag.query<Row & { embedding_json: string | null }>(
        `SELECT ${comparableColumns(false)}, embedding::text AS embedding_json FROM rag_published_embeddings ORDER BY id`,
      ),
      chat.query<Row>(CHAT_PUBLISHED_ROWS_SQL),
    ]);
    const truth = new Map<string, Row>();
    const embeddings = new Map<string, number[] | null>();
    for (const { embedding_json: json, ...row } of truthRows.rows) {
      truth.set(row.id!, row);
      embeddings.set(row.id!, json ? (JSON.parse(json) as number[]) : null);
    }
    return { ragRows: truth.size, chat: compareChat(truth, chatRows.rows), index: await compareIndex(index, truth, embeddings) };
  };
  return {
    compare,
    async waitConverged(timeoutMs) {
      const started = Date.now();
      for (;;) {
        const comparison = await compare().catch(() => undefined);
        if (comparison && clean(comparison)) return { comparison, convergedMs: Date.now() - started };
        if (Date.now() - started > timeoutMs) return { comparison: comparison ?? (await compare()), convergedMs: undefined };
        await sleep(CHECKER_DEFAULTS.pollMs);
      }
    },
    close: () => index.close(),
  };
}
