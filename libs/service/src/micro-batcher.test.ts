import { describe, expect, it } from 'vitest';
import { MicroBatcher, type ItemOutcome } from './micro-batcher.ts';

describe('MicroBatcher', () => {
  it('flushes items that arrive together as one batch, resolving each after the flush', async () => {
    const flushed: number[][] = [];
    const batcher = new MicroBatcher<number>(
      async (items) => {
        flushed.push(items);
        return items.map((): ItemOutcome => ({ ok: true }));
      },
      { maxItems: 100, maxWaitMs: 10 },
    );
    await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
    expect(flushed).toEqual([[1, 2, 3]]);
  });

  it('flushes at maxItems without waiting, and rejects only the items that failed', async () => {
    const flushed: number[][] = [];
    const batcher = new MicroBatcher<number>(
      async (items) => {
        flushed.push(items);
        return items.map((n): ItemOutcome => (n === 2 ? { ok: false, error: new Error('bad 2') } : { ok: true }));
      },
      { maxItems: 2, maxWaitMs: 60_000 },
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(flushed).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  });

  it('rejects the whole batch when the flush itself throws', async () => {
    const batcher = new MicroBatcher<number>(
      async () => {
        throw new Error('warehouse down');
      },
      { maxItems: 10, maxWaitMs: 5 },
    );
    const results = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(results.every((r) => r.status === 'rejected' && String(r.reason).includes('warehouse down'))).toBe(true);
  });
});
