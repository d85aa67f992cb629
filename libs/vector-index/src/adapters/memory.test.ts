import { describe, expect, it } from 'vitest';
import { createVectorIndex } from '../index.ts';
import { describeVectorIndexConformance } from '../testing/index.ts';
import type { Datapoint } from '../types.ts';

const DIMENSIONS = 4;

describeVectorIndexConformance('memory', {
  dimensions: DIMENSIONS,
  create: () => createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS }),
  capabilities: { listDatapointIds: true },
});

describe('memory vector index', () => {
  const datapoint = (): Datapoint => ({
    datapointId: '0b5c2a4e-8f1d-4c3a-9e7b-6d5f4a3b2c1d',
    featureVector: [1, 0, 0, 0],
    restricts: [{ namespace: 'document_payer', allowList: ['P1'] }],
    crowdingTag: { crowdingAttribute: '7f6e5d4c-3b2a-4918-8a7b-6c5d4e3f2a1b' },
  });

  it("keeps its own copy: changing the caller's arrays after upsert or read changes nothing", async () => {
    const index = await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS });
    const written = datapoint();
    await index.upsertDatapoints([written]);
    written.featureVector[0] = -1;
    written.restricts[0]!.allowList[0] = 'P2';
    const [read] = await index.readDatapoints([written.datapointId]);
    read!.featureVector[1] = 5;
    expect(await index.readDatapoints([written.datapointId])).toEqual([datapoint()]);
  });

  it('lists ids sorted, and refuses every call after close', async () => {
    const index = await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS });
    const other = { ...datapoint(), datapointId: '00000000-0000-4000-8000-000000000001' };
    await index.upsertDatapoints([datapoint(), other]);
    expect(await index.listDatapointIds()).toEqual([other.datapointId, datapoint().datapointId]);
    await index.close();
    await expect(index.listDatapointIds()).rejects.toMatchObject({ code: 'VECTOR_INDEX_CLOSED', retryable: false });
    await expect(index.upsertDatapoints([datapoint()])).rejects.toMatchObject({ code: 'VECTOR_INDEX_CLOSED' });
  });

  it('refuses a query vector of the wrong length and a dimension below 1', async () => {
    const index = await createVectorIndex({ kind: 'memory', dimensions: DIMENSIONS });
    await expect(index.findNeighbors({ featureVector: [1, 0], neighborCount: 1 })).rejects.toMatchObject({
      code: 'VECTOR_ARGUMENT_INVALID',
      retryable: false,
    });
    await expect(createVectorIndex({ kind: 'memory', dimensions: 0 })).rejects.toMatchObject({ code: 'VECTOR_ARGUMENT_INVALID' });
  });
});
