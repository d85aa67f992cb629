import { describe, expect, it } from 'vitest';
import { FreshnessTally } from './freshness-samples.ts';

const change = (documentId: string, updatedAt: string, deleted = false) => ({ row: { document_id: documentId, updated_at: updatedAt }, deleted });

describe('FreshnessTally', () => {
  it('keeps per document the latest publish time of its live rows, across batches', () => {
    const tally = new FreshnessTally();
    tally.add([change('AAAA', '2026-01-01 10:00:00.000001'), change('aaaa', '2026-01-01 10:00:00.5'), change('bbbb', '2026-01-01 09:00:00')]);
    tally.add([change('aaaa', '2026-01-01 09:59:59')]);
    expect(tally.entries()).toEqual({ documentIds: ['aaaa', 'bbbb'], publishedAt: ['2026-01-01 10:00:00.5', '2026-01-01 09:00:00'] });
  });

  it('gives an unpublished document no sample: tombstones carry old values, not the time they went', () => {
    const tally = new FreshnessTally();
    tally.add([change('cccc', '2026-01-01 08:00:00', true)]);
    expect(tally.size).toBe(0);
  });
});
