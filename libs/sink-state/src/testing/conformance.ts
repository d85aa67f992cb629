import { randomUUID } from 'node:crypto';
import { EVENTS, encodeEvent, type EncodedEvent, type PublishedRow } from '@mobius/contracts';
import type { SnapshotToLand, Warehouse } from '@mobius/warehouse';
import { publishedRow, snapshotOf, withText } from '@mobius/warehouse/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SinkOutcome, TriggerMessage } from '../sink-runner.ts';
import type { SinkStore } from '../sink-store.ts';

/** What a run wrote, in the terms the suite thinks in; each sink says how it reports and records them. */
export interface SinkWrites {
  /** Live rows new, or changed in a column other than the embedding. */
  rows: number;
  /** Live rows whose embedding alone changed (a sink that holds no vector has nothing to write for them). */
  embeddingOnly: number;
  /** Rows the target held that a tombstone removed. */
  removed: number;
}

/** How the target refuses writes, and how the refused run fails. */
export interface SinkRefusal {
  /** What the refused run throws (matched with toMatchObject): `{ code, retryable }`. */
  error: { code: string; retryable: boolean };
  /** Text the failure's sync_runs.error_message contains (the refusing constraint, the error code ...). */
  reason: string;
  /** Lets the target take writes again (and may check that the refused writes left nothing behind). */
  restore(): Promise<void>;
}

/** One sink on fresh databases: a migrated Chat database (the sink's state), an empty warehouse, an empty target. */
export interface SinkFixture {
  /** The sink's store on Chat's database: the suite reads the watermark, versions and sync_runs on its pool. */
  store: SinkStore;
  /** The warehouse whose mart the sink applies. */
  warehouse: Warehouse;
  /** Another, empty warehouse (a mart restored from an older backup, say), closed with the fixture. */
  otherWarehouse(): Promise<Warehouse>;
  /** One run of the sink: applies every mart run of `warehouse` (default: the fixture's) not applied yet. */
  apply(warehouse?: Warehouse): Promise<SinkOutcome<object>>;
  /** The sink's warehouse.mart_updated handler. */
  handle(message: TriggerMessage): Promise<SinkOutcome<object>>;
  /** A second instance of the sink (its own store, on its own pool) on the same databases and target: its run. */
  anotherInstance(): () => Promise<SinkOutcome<object>>;
  /** Everything the target holds, in a comparable form (Chat rows, datapoints ...), in `expected`'s order. */
  read(): Promise<unknown[]>;
  /** Makes the target refuse every write until `restore`. */
  refuseWrites(): Promise<SinkRefusal>;
  /** Closes and drops what the fixture made. */
  close(): Promise<void>;
}

/** What differs per sink. */
export interface SinkHarness {
  /** A fresh fixture; called once per test. */
  create(): Promise<SinkFixture>;
  /** A valid mart row of `documentId` with `overrides` (default: publishedRow of @mobius/warehouse/testing, 8 dimensions). */
  row?(documentId: string, overrides?: Partial<PublishedRow>): PublishedRow;
  /** What the target must hold for exactly these live rows, as `read` returns it. */
  expected(rows: readonly PublishedRow[]): unknown[];
  /** The sink's own fields of a run's outcome for these writes (`{ rowsWritten }`, `{ datapointsUpserted, ... }`). */
  reported(writes: SinkWrites): object;
  /** The two count columns of a sync_runs row for these writes (the one the sink does not keep is null). */
  recorded(writes: SinkWrites): { postgres_rows_written: number | null; vector_rows_upserted: number | null };
}

/** Lands the snapshots in `warehouse` and merges them as one mart run; returns its id. */
export async function publishRun(warehouse: Warehouse, ...snapshots: SnapshotToLand[]): Promise<number> {
  await warehouse.landSnapshots(snapshots);
  const run = await warehouse.mergePendingBatches();
  if (!run) throw new Error('the merge found nothing to merge');
  return run.runId;
}

/** A valid warehouse.mart_updated event naming `runId` (a TriggerMessage, and what the bus publishes). */
export function martUpdatedMessage(runId: number): EncodedEvent {
  return encodeEvent(EVENTS.martUpdated, { run_id: runId, documents: 1, rows_upserted: 1, rows_tombstoned: 0 }, { id: `mart-run-${runId}` });
}

const NO_WRITES: SinkWrites = { rows: 0, embeddingOnly: 0, removed: 0 };
const writes = (partial: Partial<SinkWrites>): SinkWrites => ({ ...NO_WRITES, ...partial });
const byDocument = <T extends { document_id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.document_id < b.document_id ? -1 : 1));

/**
 * The sink conformance suite (docs/sinks.md, "Adding a sink"): what every sink of the mart must do,
 * asserted through the sink's harness on real databases. Run it from the sink's test file:
 * `sinkConformance('chat-sync', harness)`. Each test gets a fresh fixture.
 *
 * It asserts: one run applies every pending mart run (target, watermark, document versions, one
 * `success` sync_runs row); mart_updated is only a trigger (a stale event applies everything, an
 * invalid one is refused as not retryable); replace semantics (a document's rows are those of its
 * newest snapshot; an unpublished document disappears); the version guard (an older version neither
 * replaces nor deletes a newer one); a refused write leaves target, watermark and versions as they
 * were, records a `failure` row, and the next run applies it; a re-run changes nothing; two instances
 * at once apply each run once and end in the same state as one.
 */
export function sinkConformance(name: string, harness: SinkHarness): void {
  const row = (documentId: string, overrides: Partial<PublishedRow> = {}) =>
    harness.row ? harness.row(documentId, overrides) : publishedRow(documentId, overrides);
  const rows = (documentId: string, count: number) => Array.from({ length: count }, () => row(documentId));

  describe(`Sink conformance: ${name}`, () => {
    let f: SinkFixture;
    beforeEach(async () => {
      f = await harness.create();
    });
    afterEach(async () => {
      await f.close();
    });

    const query = async <T>(sql: string): Promise<T[]> => (await f.store.pool.query(sql, [f.store.sink])).rows as T[];
    const watermark = async () =>
      (await query<{ run: number }>('SELECT last_mart_run_id::int AS run FROM mobius_sink_state WHERE sink = $1'))[0]?.run ?? null;
    const versions = async () =>
      query<{ document_id: string; v: number }>(
        'SELECT document_id::text AS document_id, document_version::int AS v FROM mobius_document_versions WHERE sink = $1 ORDER BY 1',
      );
    const syncRuns = () =>
      query<Record<string, unknown>>(
        `SELECT sink, status, mart_rows_read, postgres_rows_written, vector_rows_upserted, mart_run_id::int AS mart_run_id,
                error_message, finished_at >= started_at AS finished_after_start
           FROM sync_runs WHERE sink = $1 ORDER BY finished_at`,
      );
    const publish = (...snapshots: SnapshotToLand[]) => publishRun(f.warehouse, ...snapshots);
    const applied = (fromRunId: number, toRunId: number, martRowsRead: number, written: Partial<SinkWrites>) => ({
      status: 'applied',
      fromRunId,
      toRunId,
      martRowsRead,
      ...harness.reported(writes(written)),
    });

    it('applies every pending mart run in one call: the target holds each live row; watermark, versions and one success row follow', async () => {
      const [docA, docB, docC] = [randomUUID(), randomUUID(), randomUUID()];
      const a = [
        row(docA, { document_reviewed_at: '2026-01-05 06:07:08.901234', document_reviewed_by: 'reviewer@mobius' }),
        row(docA, { page_number: 2, paragraph_index: 0 }),
        row(docA, { page_number: 2, paragraph_index: 1, section_path: '' }),
      ];
      const b = [
        row(docB, { source_type: 'fact', document_payer: 'Molina', document_state: 'GA', document_program: '' }),
        row(docB, { model: null, document_created_at: null, document_authority_level: '', document_payer: '' }),
      ];
      const c = rows(docC, 2);
      await publish(snapshotOf(docA, 1, a), snapshotOf(docB, 1, b));
      const last = await publish(snapshotOf(docC, 1, c));

      expect(await f.apply()).toEqual(applied(0, last, 7, { rows: 7 }));

      expect(await f.read()).toEqual(harness.expected([...a, ...b, ...c]));
      expect(await watermark()).toBe(last);
      expect(await versions()).toEqual(byDocument([docA, docB, docC].map((document_id) => ({ document_id, v: 1 }))));
      expect(await syncRuns()).toEqual([
        {
          sink: f.store.sink,
          status: 'success',
          mart_rows_read: 7,
          ...harness.recorded(writes({ rows: 7 })),
          mart_run_id: last,
          error_message: null,
          finished_after_start: true,
        },
      ]);
    });

    it('treats mart_updated as a trigger only: a stale event applies every run not yet applied; an invalid or foreign one is refused, writing nothing', async () => {
      const doc = randomUUID();
      const v1 = rows(doc, 2);
      const v2 = [withText(v1[0]!, 'second version'), row(doc)];
      const first = await publish(snapshotOf(doc, 1, v1));
      const second = await publish(snapshotOf(doc, 2, v2));
      expect(second).toBe(first + 1);

      expect(await f.handle(martUpdatedMessage(first))).toMatchObject({ status: 'applied', fromRunId: 0, toRunId: second });
      expect(await f.read()).toEqual(harness.expected(v2));
      expect((await f.handle(martUpdatedMessage(first))).status).toBe('up-to-date');
      expect((await f.handle(martUpdatedMessage(second))).status).toBe('up-to-date');

      const before = { target: await f.read(), runs: await syncRuns(), watermark: await watermark() };
      const valid = martUpdatedMessage(second + 1);
      const invalid = { data: new TextEncoder().encode(JSON.stringify({ run_id: 'one' })), attributes: valid.attributes };
      await expect(f.handle(invalid)).rejects.toMatchObject({ code: 'EVENT_INVALID', retryable: false });
      const negative = { data: new TextEncoder().encode(JSON.stringify({ run_id: -1 })), attributes: valid.attributes };
      await expect(f.handle(negative)).rejects.toMatchObject({ code: 'EVENT_INVALID', retryable: false });
      const foreign = { data: valid.data, attributes: { ...valid.attributes, 'ce-type': EVENTS.landingIngested.type } };
      await expect(f.handle(foreign)).rejects.toMatchObject({ code: 'EVENT_INVALID', retryable: false });
      expect({ target: await f.read(), runs: await syncRuns(), watermark: await watermark() }).toEqual(before);
    });

    it('replaces each document by its newest snapshot: changed rows written, rows it left out and unpublished documents gone', async () => {
      const [docA, docB] = [randomUUID(), randomUUID()];
      const a = rows(docA, 3);
      const b = rows(docB, 2);
      const first = await publish(snapshotOf(docA, 1, a), snapshotOf(docB, 1, b));
      await f.apply();
      // a[0] changes only its embedding, a[1] its text, a[2] is left out, a row joins; docB is unpublished.
      const a2 = [{ ...a[0]!, embedding: a[0]!.embedding!.map((x) => -x) }, withText(a[1]!, 'Revised text.'), row(docA)];
      const second = await publish(snapshotOf(docA, 2, a2), snapshotOf(docB, 2, []));

      expect(await f.apply()).toEqual(applied(first, second, 6, { rows: 2, embeddingOnly: 1, removed: 3 }));

      expect(await f.read()).toEqual(harness.expected(a2));
      expect(await watermark()).toBe(second);
      expect(await versions()).toEqual(byDocument([docA, docB].map((document_id) => ({ document_id, v: 2 }))));
    });

    it('never takes a document back: an older version neither replaces a newer one nor deletes it by an older tombstone', async () => {
      const doc = randomUUID();
      const v1 = rows(doc, 2);
      const v3 = [withText(v1[0]!, 'version three'), row(doc)];
      await publish(snapshotOf(doc, 1, v1));
      await publish(snapshotOf(doc, 3, v3));
      await f.apply();
      expect(await f.read()).toEqual(harness.expected(v3));

      // A mart restored from an older backup holds the document at version 1 (other values, another row),
      // then an unpublish at 2 that tombstones them. A full resync (watermark back to 0) reads them all.
      const stale = await f.otherWarehouse();
      const older = { ...withText(v3[0]!, 'older text'), document_payer: 'Older Payer', embedding: v3[0]!.embedding!.map((x) => x * -2) };
      await publishRun(stale, snapshotOf(doc, 1, [older, v3[1]!, row(doc)]));
      const staleRun = await publishRun(stale, snapshotOf(doc, 2, [v1[1]!]));
      await f.store.rewind();

      expect(await f.apply(stale)).toEqual(applied(0, staleRun, 4, {}));

      expect(await f.read()).toEqual(harness.expected(v3));
      expect(await versions()).toEqual([{ document_id: doc, v: 3 }]);
    });

    it('leaves target, watermark and versions as they were when the target refuses a write, records the failure, and applies the run next time', async () => {
      const [docA, docB] = [randomUUID(), randomUUID()];
      const a = rows(docA, 2);
      const first = await publish(snapshotOf(docA, 1, a));
      await f.apply();
      const before = { target: await f.read(), versions: await versions() };
      const a2 = [withText(a[0]!, 'refused at first'), a[1]!];
      const b = rows(docB, 2);
      const second = await publish(snapshotOf(docA, 2, a2), snapshotOf(docB, 1, b));
      const refusal = await f.refuseWrites();

      await expect(f.apply()).rejects.toMatchObject(refusal.error);

      expect(await f.read()).toEqual(before.target);
      expect(await watermark()).toBe(first);
      expect(await versions()).toEqual(before.versions);
      const failure = (await syncRuns()).at(-1);
      expect(failure).toMatchObject({ sink: f.store.sink, status: 'failure', mart_run_id: second, ...harness.recorded(NO_WRITES) });
      expect(failure?.error_message).toContain(refusal.reason);

      await refusal.restore();
      expect(await f.apply()).toEqual(applied(first, second, 3, { rows: 3 }));
      expect(await f.read()).toEqual(harness.expected([...a2, ...b]));
      expect(await watermark()).toBe(second);
      expect((await syncRuns()).map((run) => run.status)).toEqual(['success', 'failure', 'success']);
    });

    it('changes nothing when run again: up-to-date, no write, no sync_runs row, watermark unchanged', async () => {
      const doc = randomUUID();
      const run = await publish(snapshotOf(doc, 1, rows(doc, 3)));
      await f.apply();
      const before = { target: await f.read(), runs: await syncRuns(), watermark: await watermark(), versions: await versions() };

      expect(await f.apply()).toEqual({ status: 'up-to-date', fromRunId: run, toRunId: run, martRowsRead: 0, ...harness.reported(NO_WRITES) });

      expect({ target: await f.read(), runs: await syncRuns(), watermark: await watermark(), versions: await versions() }).toEqual(before);
    });

    it('applies each run once with two instances at once: one applies, the other finds it done; the same state as one instance', async () => {
      const docs = [randomUUID(), randomUUID(), randomUUID()];
      const all = docs.map((doc) => rows(doc, 400));
      const first = await publish(...docs.map((doc, i) => snapshotOf(doc, 1, all[i]!, 200)));
      const other = f.anotherInstance();

      const outcomes = await Promise.all([f.apply(), other()]);

      expect(outcomes.map((o) => o.status).sort()).toEqual(['applied', 'up-to-date']);
      expect(outcomes.find((o) => o.status === 'applied')).toEqual(applied(0, first, 1200, { rows: 1200 }));
      expect(await f.read()).toEqual(harness.expected(all.flat()));
      expect(await syncRuns()).toMatchObject([
        { status: 'success', mart_run_id: first, mart_rows_read: 1200, ...harness.recorded(writes({ rows: 1200 })) },
      ]);

      // Again with a republish of one document, the other instance first: still one run, applied once.
      const changed = all[0]!.map((r, i) => (i % 2 === 0 ? withText(r, `edited ${i}`) : r));
      const second = await publish(snapshotOf(docs[0]!, 2, changed, 200));
      const again = await Promise.all([other(), f.apply()]);
      expect(again.map((o) => o.status).sort()).toEqual(['applied', 'up-to-date']);
      expect(await f.read()).toEqual(harness.expected([...changed, ...all[1]!, ...all[2]!]));
      const runs = await syncRuns();
      expect(runs).toHaveLength(2);
      expect(runs[1]).toMatchObject({ status: 'success', mart_run_id: second, mart_rows_read: 200, ...harness.recorded(writes({ rows: 200 })) });
    });
  });
}
