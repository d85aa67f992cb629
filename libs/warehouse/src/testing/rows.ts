import { randomUUID } from 'node:crypto';
import { contentSha, type PublishedRow } from '@mobius/contracts';
import type { MartChange, ReadMartChangesOptions, SnapshotToLand, Warehouse } from '../types.ts';

/** Builders and readers the conformance suite (and adapter tests) use to talk to a warehouse. */

/** The embedding length of most conformance tests: small, so they run fast. */
export const SMALL_DIMENSIONS = 8;

/**
 * A deterministic embedding that differs per `seed`. Its values are float32s (Math.fround), the
 * precision embedders produce and the vector index holds: every warehouse must return them exactly
 * (the local one stores float32; BigQuery's FLOAT64 holds them as they are).
 */
export function embeddingOf(seed: number, dimensions: number): number[] {
  return Array.from({ length: dimensions }, (_, i) => Math.fround(Math.sin(seed * 7.3 + i) / 3));
}

let seeds = 0;

/**
 * A valid published row of `documentId` with every column set (timestamps with microseconds); the
 * overrides win, and `content_sha` follows the final document_id, source_id and text.
 */
export function publishedRow(documentId: string, overrides: Partial<PublishedRow> = {}, dimensions = SMALL_DIMENSIONS): PublishedRow {
  const row: PublishedRow = {
    id: randomUUID(),
    document_id: documentId,
    source_type: 'hierarchical',
    source_id: randomUUID(),
    embedding: embeddingOf(++seeds, dimensions),
    model: 'gemini-embedding-001',
    created_at: '2026-01-02 03:04:05.123456',
    text: `chunk text ${seeds}`,
    page_number: 1,
    paragraph_index: seeds % 5,
    section_path: 'Eligibility',
    chapter_path: 'Chapter 1',
    summary: 'A summary.',
    document_filename: 'manual.md',
    document_display_name: 'Provider Manual',
    document_authority_level: 'payer_policy',
    document_effective_date: '2026-01-01',
    document_termination_date: '',
    document_payer: 'Sunshine Health',
    document_state: 'FL',
    document_program: 'Medicaid',
    document_status: 'published',
    document_review_status: 'approved',
    document_created_at: '2025-12-31 23:59:59.000001',
    document_reviewed_at: null,
    document_reviewed_by: null,
    content_sha: '',
    updated_at: '2026-01-02 03:04:06.654321',
    source_verification_status: 'n/a',
    ...overrides,
  };
  return { ...row, content_sha: overrides.content_sha ?? contentSha(row.document_id, row.source_id, row.text) };
}

/** `count` valid rows of one document. */
export function publishedRows(documentId: string, count: number, dimensions = SMALL_DIMENSIONS): PublishedRow[] {
  return Array.from({ length: count }, () => publishedRow(documentId, {}, dimensions));
}

/** The same row with new text (and so a new content_sha), as a re-chunked publish would have it. */
export function withText(row: PublishedRow, text: string): PublishedRow {
  return { ...row, text, content_sha: contentSha(row.document_id, row.source_id, text) };
}

/** Yields `rows` in batches of `size`, as the ingestor streams a snapshot. */
export async function* inBatches<T>(rows: readonly T[], size: number): AsyncGenerator<T[]> {
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

/** A snapshot of `rows` (none: the document is gone), streamed in batches of `batchSize`. */
export function snapshotOf(documentId: string, documentVersion: number, rows: readonly PublishedRow[], batchSize = 2): SnapshotToLand {
  return {
    documentId,
    documentVersion,
    publishEventId: randomUUID(),
    eventType: rows.length === 0 ? 'unpublished' : 'published',
    rows: inBatches(rows, batchSize),
  };
}

/** Every page of readMartChanges(after, upTo, batchSize, options). */
export async function readPages(
  warehouse: Warehouse,
  afterRunId: number,
  upToRunId: number,
  batchSize = 1000,
  options?: ReadMartChangesOptions,
): Promise<MartChange[][]> {
  const pages: MartChange[][] = [];
  for await (const page of warehouse.readMartChanges(afterRunId, upToRunId, batchSize, options)) pages.push(page);
  return pages;
}

/** The changes of (after, upTo] as one list. */
export async function readChanges(warehouse: Warehouse, afterRunId: number, upToRunId: number): Promise<MartChange[]> {
  return (await readPages(warehouse, afterRunId, upToRunId)).flat();
}

/** The whole mart as of now, id -> its current state (live or tombstone). */
export async function martState(warehouse: Warehouse): Promise<Map<string, MartChange>> {
  const changes = await readChanges(warehouse, 0, await warehouse.latestMartRunId());
  return new Map(changes.map((change) => [change.row.id, change]));
}

/** Ids of `state` that are live (deleted = false) / tombstoned, sorted. */
export function idsWhere(state: Map<string, MartChange>, deleted: boolean): string[] {
  return [...state.values()]
    .filter((change) => change.deleted === deleted)
    .map((change) => change.row.id)
    .sort();
}

/** Sorted ids of `rows`. */
export const idsOf = (rows: readonly { id: string }[]): string[] => rows.map((row) => row.id).sort();
