import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scoreFromDistance } from '../datapoint.ts';
import { RESTRICT_NAMESPACES, type Datapoint, type NeighborQuery, type RestrictNamespace, type VectorIndex } from '../types.ts';

/** What an adapter can do, so the one suite runs what applies. */
export interface VectorIndexCapabilities {
  /** `listDatapointIds` enumerates the index (memory, the local server; not Vertex itself). */
  listDatapointIds: boolean;
}

export interface VectorIndexSuiteOptions {
  /** The index's dimension: the suite's vectors have this length. */
  dimensions: number;
  /**
   * Returns an index to test, fresh or shared: every test uses its own random ids and its own token in
   * `document_program`, which its queries always filter on, so tests never see each other's datapoints.
   */
  create: () => Promise<VectorIndex>;
  capabilities: VectorIndexCapabilities;
}

/** Distances are compared to this many decimals (float32 backends round). */
const DIGITS = 5;

/**
 * The VectorIndex conformance suite (Watermill style: one suite, every adapter). Run it from the
 * adapter's test file: `describeVectorIndexConformance('memory', { dimensions, create, capabilities })`.
 */
export function describeVectorIndexConformance(name: string, options: VectorIndexSuiteOptions): void {
  const { dimensions } = options;

  describe(`VectorIndex conformance: ${name}`, () => {
    let index: VectorIndex;
    /** This test's own token in `document_program`. */
    let scope: string;

    /** A vector of the index's dimension with the given non-zero entries. */
    const vec = (entries: Record<number, number>): number[] => {
      const vector = new Array<number>(dimensions).fill(0);
      for (const [position, value] of Object.entries(entries)) vector[Number(position)] = value;
      return vector;
    };
    const point = (vector: number[], tokens: Partial<Record<RestrictNamespace, string>> = {}): Datapoint => ({
      datapointId: randomUUID(),
      featureVector: vector,
      restricts: RESTRICT_NAMESPACES.map((namespace) => ({
        namespace,
        allowList: [namespace === 'document_program' ? scope : (tokens[namespace] ?? '')] as [string],
      })),
      crowdingTag: { crowdingAttribute: randomUUID() },
    });
    const query = (vector: number[], neighborCount: number, restricts: NeighborQuery['restricts'] = []): NeighborQuery => ({
      featureVector: vector,
      neighborCount,
      restricts: [{ namespace: 'document_program', allowList: [scope] }, ...(restricts ?? [])],
    });
    const ids = async (q: NeighborQuery) => (await index.findNeighbors(q)).map((n) => n.datapointId);
    const byId = (points: Datapoint[]) => [...points].sort((a, b) => (a.datapointId < b.datapointId ? -1 : 1));

    beforeEach(async () => {
      scope = `conformance-${randomUUID()}`;
      index = await options.create();
    });
    afterEach(async () => {
      await index.close();
    });

    it('reads back each upserted datapoint exactly; unknown ids are absent', async () => {
      const a = point(vec({ 0: 0.25, 1: -0.5 }), { document_payer: 'Sunshine Health', document_state: 'FL', source_type: 'hierarchical' });
      const b = point(vec({ 2: 1 }), { document_authority_level: 'payer_policy', source_type: 'fact' });
      await index.upsertDatapoints([a, b]);
      expect(byId(await index.readDatapoints([a.datapointId, randomUUID(), b.datapointId]))).toEqual(byId([a, b]));
    });

    it('is idempotent: upserting the same datapoints again leaves one copy of each', async () => {
      const a = point(vec({ 0: 1 }));
      const b = point(vec({ 1: 1 }));
      await index.upsertDatapoints([a, b]);
      await index.upsertDatapoints([a, b]);
      expect(byId(await index.readDatapoints([a.datapointId, b.datapointId]))).toEqual(byId([a, b]));
      expect(await ids(query(vec({ 0: 1 }), 10))).toEqual([a.datapointId, b.datapointId]);
      if (options.capabilities.listDatapointIds) {
        const listed = await index.listDatapointIds();
        expect(listed.filter((id) => id === a.datapointId || id === b.datapointId).sort()).toEqual([a.datapointId, b.datapointId].sort());
      }
    });

    it('replaces a datapoint on upsert: vector, restricts and crowding tag', async () => {
      const before = point(vec({ 0: 1 }), { document_payer: 'Old Payer' });
      await index.upsertDatapoints([before]);
      const after: Datapoint = { ...point(vec({ 1: 1 }), { document_payer: 'New Payer' }), datapointId: before.datapointId };
      await index.upsertDatapoints([after]);
      expect(await index.readDatapoints([before.datapointId])).toEqual([after]);
      const payer = (token: string) => [{ namespace: 'document_payer' as const, allowList: [token] }];
      expect(await ids(query(vec({ 0: 1 }), 10, payer('Old Payer')))).toEqual([]);
      const [hit] = await index.findNeighbors(query(vec({ 1: 1 }), 10, payer('New Payer')));
      expect(hit?.datapointId).toBe(before.datapointId);
      expect(hit?.distance).toBeCloseTo(0, DIGITS);
    });

    it('removes datapoints by id, ignoring unknown ids, and removing twice is harmless', async () => {
      const a = point(vec({ 0: 1 }));
      const b = point(vec({ 0: 1, 1: 1 }));
      await index.upsertDatapoints([a, b]);
      await index.removeDatapoints([a.datapointId, randomUUID()]);
      await index.removeDatapoints([a.datapointId]);
      expect(await index.readDatapoints([a.datapointId, b.datapointId])).toEqual([b]);
      expect(await ids(query(vec({ 0: 1 }), 10))).toEqual([b.datapointId]);
      if (options.capabilities.listDatapointIds) {
        const listed = await index.listDatapointIds();
        expect(listed).not.toContain(a.datapointId);
        expect(listed).toContain(b.datapointId);
      }
    });

    it('returns neighbours nearest first, with cosine distance 1 - cos in [0, 2] (score = 1 - distance / 2)', async () => {
      const same = point(vec({ 0: 3 }));
      const diagonal = point(vec({ 0: 1, 1: 1 }));
      const orthogonal = point(vec({ 1: 2 }));
      const opposite = point(vec({ 0: -1 }));
      await index.upsertDatapoints([opposite, orthogonal, same, diagonal]);
      const neighbors = await index.findNeighbors(query(vec({ 0: 1 }), 10));
      expect(neighbors.map((n) => n.datapointId)).toEqual([same, diagonal, orthogonal, opposite].map((p) => p.datapointId));
      const expected = [0, 1 - Math.SQRT1_2, 1, 2];
      for (const [i, n] of neighbors.entries()) expect(n.distance).toBeCloseTo(expected[i] as number, DIGITS);
      expect(neighbors.map((n) => scoreFromDistance(n.distance)).map((s) => Number(s.toFixed(DIGITS)))).toEqual(
        [1, (1 + Math.SQRT1_2) / 2, 0.5, 0].map((s) => Number(s.toFixed(DIGITS))),
      );
      expect(await ids(query(vec({ 0: 1 }), 2))).toEqual([same.datapointId, diagonal.datapointId]);
    });

    it('filters by allow lists: every namespace given must hold one of its tokens', async () => {
      const flP1 = point(vec({ 0: 1 }), { document_payer: 'P1', document_state: 'FL', source_type: 'hierarchical' });
      const gaP1 = point(vec({ 0: 1, 1: 0.1 }), { document_payer: 'P1', document_state: 'GA', source_type: 'fact' });
      const flP2 = point(vec({ 0: 1, 1: 0.2 }), { document_payer: 'P2', document_state: 'FL', source_type: 'hierarchical' });
      const noPayer = point(vec({ 0: 1, 1: 0.3 }), { document_state: 'FL', source_type: 'hierarchical' });
      await index.upsertDatapoints([flP1, gaP1, flP2, noPayer]);
      const q = (restricts: NeighborQuery['restricts']) => ids(query(vec({ 0: 1 }), 10, restricts));
      expect(await q([])).toEqual([flP1, gaP1, flP2, noPayer].map((p) => p.datapointId));
      expect(await q([{ namespace: 'document_payer', allowList: ['P1'] }])).toEqual([flP1.datapointId, gaP1.datapointId]);
      expect(await q([{ namespace: 'document_payer', allowList: ['P1', 'P2'] }])).toEqual([flP1, gaP1, flP2].map((p) => p.datapointId));
      expect(
        await q([
          { namespace: 'document_payer', allowList: ['P1'] },
          { namespace: 'document_state', allowList: ['FL'] },
        ]),
      ).toEqual([flP1.datapointId]);
      expect(await q([{ namespace: 'document_payer', allowList: [''] }])).toEqual([noPayer.datapointId]);
      expect(await q([{ namespace: 'source_type', allowList: ['fact'] }])).toEqual([gaP1.datapointId]);
      expect(await q([{ namespace: 'document_payer', allowList: ['P3'] }])).toEqual([]);
    });

    it('treats an empty allow list as matching nothing, and a neighbour count of 0 as asking for none', async () => {
      await index.upsertDatapoints([point(vec({ 0: 1 }), { document_payer: 'P1' })]);
      expect(await ids(query(vec({ 0: 1 }), 10, [{ namespace: 'document_payer', allowList: [] }]))).toEqual([]);
      expect(await ids(query(vec({ 0: 1 }), 0))).toEqual([]);
      expect(await ids(query(vec({ 0: 1 }), 10))).toHaveLength(1);
    });

    it('keeps at most perCrowdingAttributeNeighborCount neighbours per crowding tag, nearest first', async () => {
      const tagged = (vector: number[], tag: string): Datapoint => ({ ...point(vector), crowdingTag: { crowdingAttribute: tag } });
      const [docA, docB] = [randomUUID(), randomUUID()];
      const a1 = tagged(vec({ 0: 1 }), docA);
      const a2 = tagged(vec({ 0: 1, 1: 0.1 }), docA);
      const a3 = tagged(vec({ 0: 1, 1: 0.2 }), docA);
      const b1 = tagged(vec({ 0: 1, 1: 0.3 }), docB);
      const b2 = tagged(vec({ 0: 1, 1: 0.4 }), docB);
      await index.upsertDatapoints([a1, a2, a3, b1, b2]);
      const crowded = (perTag: number, count: number) => ids({ ...query(vec({ 0: 1 }), count), perCrowdingAttributeNeighborCount: perTag });
      expect(await crowded(1, 10)).toEqual([a1.datapointId, b1.datapointId]);
      expect(await crowded(2, 3)).toEqual([a1.datapointId, a2.datapointId, b1.datapointId]);
      expect(await crowded(0, 10)).toEqual([a1, a2, a3, b1, b2].map((p) => p.datapointId));
    });

    it('rejects a wrong-length or non-finite vector as not retryable, writing nothing of that call', async () => {
      const good = point(vec({ 0: 1 }));
      const short = point(vec({ 0: 1 }).slice(1));
      const nan = point(vec({ 0: Number.NaN }));
      for (const bad of [short, nan]) {
        await expect(index.upsertDatapoints([good, bad])).rejects.toMatchObject({ retryable: false, code: expect.any(String) });
      }
      expect(await index.readDatapoints([good.datapointId, short.datapointId, nan.datapointId])).toEqual([]);
      expect(await ids(query(vec({ 0: 1 }), 10))).toEqual([]);
    });
  });
}
