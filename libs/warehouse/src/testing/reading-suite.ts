import { randomUUID } from 'node:crypto';
import type { PublishedRow } from '@mobius/contracts';
import { describe, expect, it } from 'vitest';
import type { MartChange } from '../types.ts';
import type { OpenWarehouse } from './harness.ts';
import { idsOf, publishedRows, readPages, snapshotOf, withText } from './rows.ts';

const sizes = (pages: MartChange[][]) => pages.map((page) => page.length);
const keys = (pages: MartChange[][]) => pages.flat().map((change) => [change.martRunId, change.row.id]);

export function readingTests(open: OpenWarehouse): void {
  describe('reading mart changes', () => {
    it('pages (after, upTo] in (martRunId, id) order with a small batch size, each id once', async () => {
      const { warehouse } = await open();
      const [one, two] = [randomUUID(), randomUUID()];
      const first = publishedRows(one, 7);
      const second = publishedRows(two, 5);
      await warehouse.landSnapshots([snapshotOf(one, 1, first)]);
      await warehouse.mergePendingBatches();
      await warehouse.landSnapshots([snapshotOf(two, 1, second)]);
      await warehouse.mergePendingBatches();

      const all = await readPages(warehouse, 0, 2, 3);
      expect(sizes(all)).toEqual([3, 3, 3, 3]);
      expect(keys(all)).toEqual([...idsOf(first).map((id) => [1, id]), ...idsOf(second).map((id) => [2, id])]);
      expect(sizes(await readPages(warehouse, 0, 1, 3))).toEqual([3, 3, 1]);
      expect(keys(await readPages(warehouse, 1, 2, 3))).toEqual(idsOf(second).map((id) => [2, id]));
      expect(await readPages(warehouse, 2, 2, 3)).toEqual([]);

      // Run 3 rewrites one row and drops another of the first document: they move to run 3, still once each.
      const [kept, dropped] = [idsOf(first)[0], idsOf(first)[1]];
      const next = first.filter((row) => row.id !== dropped).map((row) => (row.id === kept ? withText(row, 'new') : row));
      await warehouse.landSnapshots([snapshotOf(one, 2, next)]);
      await warehouse.mergePendingBatches();
      const after = (await readPages(warehouse, 0, 3, 4)).flat();
      expect(after).toHaveLength(12);
      expect(new Set(after.map((change) => change.row.id)).size).toBe(12);
      const moved = after.filter((change) => change.martRunId === 3);
      expect(moved.map((change) => [change.row.id, change.deleted])).toEqual(
        [
          [kept, false],
          [dropped, true],
        ].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
      );
      expect(moved.find((change) => change.row.id === kept)?.row.text).toBe('new');
    });

    it('yields each id once when a run commits mid-read, even with upTo beyond it', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const rows = publishedRows(doc, 3);
      await warehouse.landSnapshots([snapshotOf(doc, 1, rows)]);
      await warehouse.mergePendingBatches();
      const reading = warehouse.readMartChanges(0, 100, 1)[Symbol.asyncIterator]();
      const first = await reading.next();
      await warehouse.landSnapshots([
        snapshotOf(
          doc,
          2,
          rows.map((row) => withText(row, `${row.text}, edited`)),
        ),
      ]);
      expect(await warehouse.mergePendingBatches()).toMatchObject({ runId: 2, rowsUpserted: 3 });
      const seen: MartChange[] = first.done ? [] : [...first.value];
      for (let next = await reading.next(); !next.done; next = await reading.next()) seen.push(...next.value);
      const ids = seen.map((change) => change.row.id);
      expect(new Set(ids).size).toBe(ids.length);
      // What moved on to run 2 comes with the next range, so a sink reading range after range misses nothing.
      expect((await readPages(warehouse, 1, 100, 1)).flat().map((change) => change.row.id)).toEqual(idsOf(rows));
    });

    it('reads without the embedding when asked: the same pages, every embedding null', async () => {
      const { warehouse } = await open();
      const [one, two] = [randomUUID(), randomUUID()];
      const [first, second] = [publishedRows(one, 3), publishedRows(two, 2)];
      await warehouse.landSnapshots([snapshotOf(one, 1, first), snapshotOf(two, 1, second)]);
      await warehouse.mergePendingBatches();
      await warehouse.landSnapshots([snapshotOf(two, 2, [])]);
      await warehouse.mergePendingBatches();

      const full = await readPages(warehouse, 0, 2, 2);
      expect(await readPages(warehouse, 0, 2, 2, { embedding: true })).toEqual(full);
      const byId = new Map([...first, ...second].map((row) => [row.id, row]));
      for (const change of full.flat()) expect(change.row).toEqual(byId.get(change.row.id));
      const lean = await readPages(warehouse, 0, 2, 2, { embedding: false });
      expect(lean).toEqual(full.map((page) => page.map((change) => ({ ...change, row: { ...change.row, embedding: null } }))));
      expect(
        lean
          .flat()
          .filter((change) => change.deleted)
          .map((change) => change.row.id),
      ).toEqual(idsOf(second));
    });

    it('returns exactly batchSize rows per page when the count is a multiple, then stops', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      await warehouse.landSnapshots([snapshotOf(doc, 1, publishedRows(doc, 4))]);
      await warehouse.mergePendingBatches();
      expect(sizes(await readPages(warehouse, 0, 1, 2))).toEqual([2, 2]);
      expect(sizes(await readPages(warehouse, 0, 1, 1))).toEqual([1, 1, 1, 1]);
    });

    it('refuses a batch size below 1 with a non-retryable error', async () => {
      const { warehouse } = await open();
      await expect(readPages(warehouse, 0, 1, 0)).rejects.toMatchObject({
        code: 'WAREHOUSE_ARGUMENT_INVALID',
        retryable: false,
        message: expect.stringMatching(/batchSize/),
      });
    });

    it('ensureSchema on a ready warehouse changes nothing and keeps it working', async () => {
      const { warehouse } = await open();
      const doc = randomUUID();
      const rows: PublishedRow[] = publishedRows(doc, 2);
      await warehouse.landSnapshots([snapshotOf(doc, 1, rows)]);
      await warehouse.ensureSchema();
      await warehouse.ensureSchema();
      expect(await warehouse.mergePendingBatches()).toMatchObject({ runId: 1, batchesMerged: 1, rowsUpserted: 2 });
    });
  });
}
