import { randomUUID } from 'node:crypto';
import type { PublishedRow } from '@mobius/contracts';
import { describe, expect, it } from 'vitest';
import type { SnapshotToLand, Warehouse } from '../types.ts';
import type { OpenWarehouse } from './harness.ts';
import { idsOf, idsWhere, martState, publishedRow, publishedRows, readChanges, snapshotOf } from './rows.ts';

/** After a refused landing: nothing is pending, and the same versions land afresh. */
async function expectNothingLanded(warehouse: Warehouse, snapshots: SnapshotToLand[]): Promise<void> {
  expect(await warehouse.mergePendingBatches()).toBeNull();
  const landed = await warehouse.landSnapshots(snapshots);
  expect(landed.map((batch) => batch.alreadyLanded)).toEqual(snapshots.map(() => false));
}

/** A refusal the bus dead-letters at once: stable code, not retryable, a message naming the reason. */
function refusal(code: string, message: RegExp) {
  return expect.objectContaining({ code, retryable: false, message: expect.stringMatching(message) });
}

export function landingTests(open: OpenWarehouse): void {
  describe('landing', () => {
    it('lands a snapshot once: landing it again reports alreadyLanded and merges as one batch', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const rows = publishedRows(doc, 3);
      const [first] = await warehouse.landSnapshots([snapshotOf(doc, 1, rows)]);
      const again = await warehouse.landSnapshots([snapshotOf(doc, 1, rows), snapshotOf(doc, 1, rows)]);
      expect(first).toEqual({ batchId: expect.any(String), documentId: doc, documentVersion: 1, rowCount: 3, alreadyLanded: false });
      expect(again).toEqual([
        { ...first, alreadyLanded: true },
        { ...first, alreadyLanded: true },
      ]);
      const run = await warehouse.mergePendingBatches();
      expect(run).toMatchObject({ runId: 1, batchesMerged: 1, documents: 1, rowsUpserted: 3, rowsTombstoned: 0 });
      expect(await readChanges(warehouse, 0, 1)).toHaveLength(3);
    });

    it('keeps every column exactly, timestamps to the microsecond and nulls as nulls', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const row = publishedRow(doc, {
        created_at: '2026-03-04 05:06:07.000009',
        updated_at: '2026-03-04 05:06:07.999999',
        page_number: 12,
        document_reviewed_at: '2026-02-28 00:00:00.5',
        document_reviewed_by: 'reviewer@example.com',
        model: null,
        text: 'It\'s "quoted", with a backslash \\ and ünïcödé',
        document_state: 'TX',
      });
      await warehouse.landSnapshots([snapshotOf(doc, 1, [row])]);
      await warehouse.mergePendingBatches();
      const [change] = await readChanges(warehouse, 0, 1);
      expect(change?.row).toEqual(row);
      expect(change).toMatchObject({ deleted: false, documentVersion: 1, martRunId: 1 });
    });

    it('keeps every float32 value exactly, from the smallest subnormal to the largest finite', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const extremes = [1.401298464324817e-45, -Math.fround(1e-40), 3.4028234663852886e38, -3.4028234663852886e38, 0, 1, -1, Math.fround(Math.PI)];
      const row = publishedRow(doc, { embedding: extremes });
      await warehouse.landSnapshots([snapshotOf(doc, 1, [row])]);
      await warehouse.mergePendingBatches();
      expect((await readChanges(warehouse, 0, 1)).map((change) => change.row.embedding)).toEqual([extremes]);
    });

    it('lands a burst of snapshots in one call, and one merge takes them all', async () => {
      const { warehouse } = await open();
      const docs = [randomUUID(), randomUUID(), randomUUID()];
      const landed = await warehouse.landSnapshots(docs.map((doc) => snapshotOf(doc, 1, publishedRows(doc, 2))));
      expect(landed.map((batch) => [batch.documentId, batch.rowCount, batch.alreadyLanded])).toEqual(docs.map((doc) => [doc, 2, false]));
      expect(new Set(landed.map((batch) => batch.batchId)).size).toBe(3);
      expect(await warehouse.mergePendingBatches()).toMatchObject({ runId: 1, batchesMerged: 3, documents: 3, rowsUpserted: 6 });
      expect(await warehouse.mergePendingBatches()).toBeNull();
      expect(await warehouse.latestMartRunId()).toBe(1);
    });

    const badEmbeddings: Array<[string, (embedding: number[]) => unknown]> = [
      ['missing', () => null],
      ['too short', (e) => e.slice(1)],
      ['too long', (e) => [...e, 0.5]],
      ['holding NaN', (e) => e.with(3, Number.NaN)],
      ['holding Infinity', (e) => e.with(0, Infinity)],
      ['holding a string', (e) => [...e.slice(0, 2), '0.25', ...e.slice(3)]],
      ['that is not an array', () => ({ 0: 0.5 })],
    ];
    it.each(badEmbeddings)('lands a row whose embedding is %s with its metadata and a NULL embedding; the rest as usual', async (_, spoil) => {
      const { warehouse } = await open();
      const [other, doc] = [randomUUID(), randomUUID()];
      const otherRows = publishedRows(other, 3);
      const rows = publishedRows(doc, 5);
      const spoiled = rows.map((row, i) => (i === 4 ? { ...row, embedding: spoil(row.embedding ?? []) as number[] } : row));
      const landed = await warehouse.landSnapshots([snapshotOf(other, 1, otherRows), snapshotOf(doc, 1, spoiled)]);
      expect(landed.map((batch) => [batch.rowCount, batch.alreadyLanded])).toEqual([
        [3, false],
        [5, false],
      ]);
      expect(await warehouse.mergePendingBatches()).toMatchObject({ documents: 2, rowsUpserted: 8 });
      const state = await martState(warehouse);
      expect(idsWhere(state, false)).toEqual(idsOf([...otherRows, ...rows]));
      expect(rows.map((row) => state.get(row.id)?.row)).toEqual([...rows.slice(0, 4), { ...rows[4], embedding: null }]);
      // Landed again with its embedding repaired, the row gets its vector back.
      await warehouse.landSnapshots([snapshotOf(doc, 2, rows)]);
      expect(await warehouse.mergePendingBatches()).toMatchObject({ documents: 1, rowsUpserted: 1 });
      expect((await martState(warehouse)).get(rows[4]!.id)?.row).toEqual(rows[4]);
    });

    it('refuses a row of another document, non-retryable, and lands nothing', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const rows = [...publishedRows(doc, 2), publishedRow(randomUUID())];
      const attempt = warehouse.landSnapshots([snapshotOf(doc, 1, rows)]);
      await expect(attempt).rejects.toEqual(refusal('WAREHOUSE_ROW_DOCUMENT_MISMATCH', /is not the snapshot's document/));
      await expectNothingLanded(warehouse, [snapshotOf(doc, 1, rows.slice(0, 2))]);
    });

    it('refuses a row the schema cannot hold (the same id twice), non-retryable, and lands nothing', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const [row] = publishedRows(doc, 1) as [PublishedRow];
      const attempt = warehouse.landSnapshots([snapshotOf(doc, 1, [row, withId(publishedRow(doc), row.id)], 1)]);
      await expect(attempt).rejects.toEqual(refusal('WAREHOUSE_ROW_REJECTED', /refused a row/));
      await expectNothingLanded(warehouse, [snapshotOf(doc, 1, [row])]);
    });

    it('lands and returns 1536-dimension embeddings exactly, streamed in many batches', async () => {
      const { warehouse } = await open(1536);
      const doc = randomUUID();
      const rows = publishedRows(doc, 25, 1536);
      const [landed] = await warehouse.landSnapshots([snapshotOf(doc, 1, rows, 7)]);
      expect(landed?.rowCount).toBe(25);
      await warehouse.mergePendingBatches();
      const state = await martState(warehouse);
      expect(idsWhere(state, false)).toEqual(rows.map((row) => row.id).sort());
      for (const row of rows) expect(state.get(row.id)?.row.embedding).toEqual(row.embedding);
    });
  });
}

const withId = (row: PublishedRow, id: string): PublishedRow => ({ ...row, id });
