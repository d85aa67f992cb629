import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.ts';

/** A source that records when each item's fetch starts and whether it was closed. */
function recordingSource(items: number[], failAt?: number) {
  const events: string[] = [];
  let closed = false;
  async function* generate() {
    try {
      for (const item of items) {
        events.push(`fetch ${item}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (item === failAt) throw new Error(`fetch ${item} failed`);
        yield item;
      }
    } finally {
      closed = true;
    }
  }
  return { source: generate(), events, closed: () => closed };
}

describe('readAhead', () => {
  it('fetches the next item while the caller works on the current one, and yields every item in order', async () => {
    const { source, events } = recordingSource([1, 2, 3]);
    const seen: number[] = [];
    for await (const item of readAhead(source)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push(`done ${item}`);
      seen.push(item);
    }
    expect(seen).toEqual([1, 2, 3]);
    // Item 2's fetch started before item 1's work finished: that is the overlap.
    expect(events.indexOf('fetch 2')).toBeLessThan(events.indexOf('done 1'));
    expect(events.indexOf('fetch 3')).toBeLessThan(events.indexOf('done 2'));
  });

  it('holds at most one item ahead of the caller', async () => {
    const { source, events } = recordingSource([1, 2, 3, 4, 5]);
    for await (const item of readAhead(source)) {
      if (item === 1) {
        await new Promise((resolve) => setTimeout(resolve, 60));
        expect(events.filter((e) => e.startsWith('fetch'))).toEqual(['fetch 1', 'fetch 2']);
      }
    }
  });

  it('surfaces a failed fetch to the caller at that item, after the items before it', async () => {
    const { source } = recordingSource([1, 2, 3], 2);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(source)) seen.push(item);
      })(),
    ).rejects.toThrow('fetch 2 failed');
    expect(seen).toEqual([1]);
  });

  it('closes the source when the caller stops early', async () => {
    const recorded = recordingSource([1, 2, 3]);
    for await (const item of readAhead(recorded.source)) {
      if (item === 1) break;
    }
    expect(recorded.closed()).toBe(true);
  });
});
