import type { HashedRow } from './hashed-rows.ts';

/** What the merge found for one id. */
export type RowDifference =
  | { kind: 'missing'; source: HashedRow }
  | { kind: 'extra'; target: HashedRow }
  | { kind: 'stale'; source: HashedRow; target: HashedRow };

/**
 * Merges two id-ordered streams (the truth and a copy of it) like a sorted merge join, calling
 * `onDifference` for every id that is only in one of them or whose hash differs, and `onRow` for every
 * row read on each side. Holds one row of each side at a time. Ids compare as lowercase hyphenated
 * uuid text, whose order is Postgres's uuid order.
 */
export async function mergeDiff(
  source: AsyncIterable<HashedRow>,
  target: AsyncIterable<HashedRow>,
  onDifference: (difference: RowDifference) => Promise<void> | void,
  onRow: (side: 'source' | 'target') => void = () => {},
): Promise<void> {
  const sourceRows = source[Symbol.asyncIterator]();
  const targetRows = target[Symbol.asyncIterator]();
  const next = async (rows: AsyncIterator<HashedRow>, side: 'source' | 'target') => {
    const result = await rows.next();
    if (result.done) return undefined;
    onRow(side);
    return result.value;
  };
  let s = await next(sourceRows, 'source');
  let t = await next(targetRows, 'target');
  while (s || t) {
    if (s && (!t || s.id < t.id)) {
      await onDifference({ kind: 'missing', source: s });
      s = await next(sourceRows, 'source');
    } else if (t && (!s || t.id < s.id)) {
      await onDifference({ kind: 'extra', target: t });
      t = await next(targetRows, 'target');
    } else {
      if (s!.hash !== t!.hash || s!.documentId !== t!.documentId) await onDifference({ kind: 'stale', source: s!, target: t! });
      s = await next(sourceRows, 'source');
      t = await next(targetRows, 'target');
    }
  }
}
