import { randomUUID } from 'node:crypto';
import type { PublishedRow } from '@mobius/contracts';
import { describe, expect, it } from 'vitest';
import type { Warehouse } from '../types.ts';
import type { OpenWarehouse } from './harness.ts';
import { idsOf, idsWhere, martState, publishedRow, publishedRows, readChanges, snapshotOf, withText } from './rows.ts';

/** Lands one snapshot and merges it; returns the run. */
async function publish(warehouse: Warehouse, doc: string, version: number, rows: PublishedRow[]) {
  await warehouse.landSnapshots([snapshotOf(doc, version, rows)]);
  return warehouse.mergePendingBatches();
}

export function mergeTests(open: OpenWarehouse): void {
  describe('merging', () => {
    it('has nothing to merge on an empty warehouse: null, and run 0', async () => {
      const { warehouse } = await open();
      expect(await warehouse.latestMartRunId()).toBe(0);
      expect(await warehouse.mergePendingBatches()).toBeNull();
      expect(await readChanges(warehouse, 0, 10)).toEqual([]);
    });

    it('a republish with fewer and changed rows leaves exactly the new set live, the removed ids tombstoned', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const [a, b, c, d] = publishedRows(doc, 4) as [PublishedRow, PublishedRow, PublishedRow, PublishedRow];
      await publish(warehouse, doc, 1, [a, b, c, d]);
      const next = [a, withText(b, 'b, re-chunked'), publishedRow(doc)];
      const run = await publish(warehouse, doc, 2, next);
      expect(run).toEqual({ runId: 2, batchesMerged: 1, documents: 1, rowsUpserted: 2, rowsTombstoned: 2 });
      const state = await martState(warehouse);
      expect(idsWhere(state, false)).toEqual(idsOf(next));
      expect(idsWhere(state, true)).toEqual(idsOf([c, d]));
      for (const row of next) expect(state.get(row.id)?.row).toEqual(row);
      expect(state.get(c.id)).toEqual({ row: c, deleted: true, documentVersion: 2, martRunId: 2 });
    });

    it('does not rewrite rows equal in all columns: they keep their run', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const rows = publishedRows(doc, 3);
      await publish(warehouse, doc, 1, rows);
      const changed = withText(rows[2] as PublishedRow, 'edited');
      const run = await publish(warehouse, doc, 2, [rows[0] as PublishedRow, rows[1] as PublishedRow, changed]);
      expect(run).toMatchObject({ rowsUpserted: 1, rowsTombstoned: 0 });
      expect((await readChanges(warehouse, 1, 2)).map((change) => change.row)).toEqual([changed]);
      const state = await martState(warehouse);
      expect([rows[0], rows[1]].map((row) => state.get(row?.id ?? '')?.martRunId)).toEqual([1, 1]);
      const sameButUpdatedAt = { ...(rows[0] as PublishedRow), updated_at: '2026-05-05 05:05:05.5' };
      expect(await publish(warehouse, doc, 3, [sameButUpdatedAt, rows[1] as PublishedRow, changed])).toMatchObject({
        rowsUpserted: 1,
        rowsTombstoned: 0,
      });
    });

    it('an older snapshot merged after a newer one changes nothing', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const newer = publishedRows(doc, 2);
      await publish(warehouse, doc, 5, newer);
      const run = await publish(warehouse, doc, 4, publishedRows(doc, 3));
      expect(run).toEqual({ runId: 2, batchesMerged: 1, documents: 0, rowsUpserted: 0, rowsTombstoned: 0 });
      expect(await readChanges(warehouse, 1, 2)).toEqual([]);
      const state = await martState(warehouse);
      expect(idsWhere(state, false)).toEqual(idsOf(newer));
      expect(idsWhere(state, true)).toEqual([]);
    });

    it('merges only the highest pending version of a document, whatever the landing order', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const v3 = publishedRows(doc, 2);
      await warehouse.landSnapshots([snapshotOf(doc, 3, v3)]);
      await warehouse.landSnapshots([snapshotOf(doc, 1, publishedRows(doc, 4)), snapshotOf(doc, 2, publishedRows(doc, 1))]);
      const run = await warehouse.mergePendingBatches();
      expect(run).toEqual({ runId: 1, batchesMerged: 3, documents: 1, rowsUpserted: 2, rowsTombstoned: 0 });
      const state = await martState(warehouse);
      expect([...state.keys()].sort()).toEqual(idsOf(v3));
      expect([...state.values()].every((change) => change.documentVersion === 3)).toBe(true);
    });

    it('an unpublish (empty snapshot) tombstones every row; an older publish cannot bring them back', async () => {
      const { warehouse } = await open();
      const [doc, other] = [randomUUID(), randomUUID()];
      const rows = publishedRows(doc, 3);
      await warehouse.landSnapshots([snapshotOf(doc, 2, rows), snapshotOf(other, 1, publishedRows(other, 2))]);
      await warehouse.mergePendingBatches();
      expect(await publish(warehouse, doc, 5, [])).toMatchObject({ documents: 1, rowsUpserted: 0, rowsTombstoned: 3 });
      const gone = await readChanges(warehouse, 1, 2);
      expect(gone.map((change) => [change.row.id, change.deleted])).toEqual(idsOf(rows).map((id) => [id, true]));
      expect(await publish(warehouse, doc, 3, rows)).toMatchObject({ batchesMerged: 1, rowsUpserted: 0, rowsTombstoned: 0 });
      const state = await martState(warehouse);
      expect(idsWhere(state, true)).toEqual(idsOf(rows));
      expect(idsWhere(state, false)).toHaveLength(2);
    });

    it('a republish after an unpublish brings a tombstoned id back to life', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const rows = publishedRows(doc, 2);
      await publish(warehouse, doc, 1, rows);
      await publish(warehouse, doc, 2, []);
      expect(await publish(warehouse, doc, 3, rows)).toMatchObject({ runId: 3, rowsUpserted: 2, rowsTombstoned: 0 });
      const state = await martState(warehouse);
      expect(idsWhere(state, false)).toEqual(idsOf(rows));
      expect(state.get(rows[0]?.id ?? '')).toMatchObject({ deleted: false, documentVersion: 3, martRunId: 3 });
    });

    it('an unpublish of a document the mart never held still blocks its older snapshots', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      expect(await publish(warehouse, doc, 2, [])).toMatchObject({ runId: 1, documents: 1, rowsTombstoned: 0 });
      expect(await publish(warehouse, doc, 1, publishedRows(doc, 2))).toMatchObject({ documents: 0, rowsUpserted: 0 });
      expect((await martState(warehouse)).size).toBe(0);
    });
  });
}
