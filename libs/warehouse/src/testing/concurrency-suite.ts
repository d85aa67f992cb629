import { randomUUID } from 'node:crypto';
import type { PublishedRow } from '@mobius/contracts';
import { describe, expect, it } from 'vitest';
import type { MartRun } from '../types.ts';
import type { OpenWarehouse } from './harness.ts';
import { idsOf, idsWhere, martState, publishedRows, readChanges, snapshotOf } from './rows.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export function concurrencyTests(open: OpenWarehouse): void {
  describe('concurrency', () => {
    it('a batch whose landing commits after a merge ran is merged by the next run, never skipped', async () => {
      const { warehouse, another } = await open();
      const lander = await another();
      const [late, early] = [randomUUID(), randomUUID()];
      const lateRows = publishedRows(late, 2);
      const [started, gate] = [deferred(), deferred()];
      async function* heldRows(): AsyncGenerator<PublishedRow[]> {
        started.resolve();
        await gate.promise;
        yield lateRows;
      }
      // The late landing starts first, then stalls inside its transaction while another lands and a merge runs.
      const landing = lander.landSnapshots([{ ...snapshotOf(late, 1, lateRows), rows: heldRows() }]);
      await started.promise;
      await warehouse.landSnapshots([snapshotOf(early, 1, publishedRows(early, 1))]);
      expect(await warehouse.mergePendingBatches()).toMatchObject({ runId: 1, batchesMerged: 1, rowsUpserted: 1 });
      gate.resolve();
      expect(await landing).toMatchObject([{ documentId: late, rowCount: 2, alreadyLanded: false }]);
      expect(await warehouse.mergePendingBatches()).toMatchObject({ runId: 2, batchesMerged: 1, rowsUpserted: 2 });
      expect((await readChanges(warehouse, 1, 2)).map((change) => change.row.id)).toEqual(idsOf(lateRows));
    });

    it('concurrent merges on two instances: each batch merged by one run, runs numbered 1..n', async () => {
      const { warehouse: first, another } = await open();
      const second = await another();
      const docs = Array.from({ length: 8 }, () => randomUUID());
      const merges: Array<Promise<MartRun | null>> = [];
      for (const [i, doc] of docs.entries()) {
        await (i % 2 ? first : second).landSnapshots([snapshotOf(doc, 1, publishedRows(doc, 2))]);
        merges.push(first.mergePendingBatches(), second.mergePendingBatches());
      }
      const runs = (await Promise.all(merges)).filter((run): run is MartRun => run !== null);
      expect(runs.map((run) => run.runId).sort((x, y) => x - y)).toEqual(oneToN(runs.length));
      expect(runs.reduce((sum, run) => sum + run.batchesMerged, 0)).toBe(docs.length);
      expect(runs.reduce((sum, run) => sum + run.rowsUpserted, 0)).toBe(docs.length * 2);
      expect(await first.mergePendingBatches()).toBeNull();
      expect(await second.latestMartRunId()).toBe(runs.length);
      expect(idsWhere(await martState(second), false)).toHaveLength(docs.length * 2);
    });

    it('two instances landing the same snapshot at once land it once', async () => {
      const { warehouse: first, another } = await open();
      const second = await another();
      const doc = randomUUID();
      const rows = publishedRows(doc, 6);
      const landed = await Promise.all([first, second].map((w) => w.landSnapshots([snapshotOf(doc, 1, rows, 1)])));
      expect(
        landed
          .flat()
          .map((batch) => batch.alreadyLanded)
          .sort(),
      ).toEqual([false, true]);
      expect(landed.flat().map((batch) => batch.rowCount)).toEqual([6, 6]);
      expect(await first.mergePendingBatches()).toMatchObject({ batchesMerged: 1, rowsUpserted: 6 });
    });
  });
}
