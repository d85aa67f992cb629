import type { PublishedRow } from '@mobius/contracts';
import { describe, expect, it } from 'vitest';
import { scoreFromDistance, toDatapoint } from './datapoint.ts';

const row = (overrides: Partial<PublishedRow> = {}): PublishedRow => ({
  id: '3F2504E0-4F89-41D3-9A0C-0305E82C3301',
  document_id: 'A1B2C3D4-0000-4000-8000-00000000000A',
  source_type: 'hierarchical',
  source_id: '9a8b7c6d-0000-4000-8000-000000000001',
  embedding: [0.5, -0.25, 0, 1],
  model: 'gemini-embedding-001',
  created_at: '2026-01-02 03:04:05.123456',
  text: 'Prior authorization is required.',
  page_number: 3,
  paragraph_index: 1,
  section_path: 'Benefits',
  chapter_path: '',
  summary: '',
  document_filename: 'manual.pdf',
  document_display_name: 'Provider Manual',
  document_authority_level: 'payer_policy',
  document_effective_date: '',
  document_termination_date: '',
  document_payer: 'Sunshine Health',
  document_state: 'FL',
  document_program: '',
  document_status: 'published',
  document_review_status: '',
  document_created_at: null,
  document_reviewed_at: null,
  document_reviewed_by: null,
  content_sha: 'abc',
  updated_at: '2026-01-02 03:04:05',
  source_verification_status: 'n/a',
  ...overrides,
});

describe('toDatapoint', () => {
  it('builds the contract datapoint: lowercase id, embedding, five allow tokens in order, document crowding tag', () => {
    expect(toDatapoint(row(), { dimensions: 4 })).toEqual({
      datapointId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      featureVector: [0.5, -0.25, 0, 1],
      restricts: [
        { namespace: 'document_payer', allowList: ['Sunshine Health'] },
        { namespace: 'document_state', allowList: ['FL'] },
        { namespace: 'document_program', allowList: [''] },
        { namespace: 'document_authority_level', allowList: ['payer_policy'] },
        { namespace: 'source_type', allowList: ['hierarchical'] },
      ],
      crowdingTag: { crowdingAttribute: 'a1b2c3d4-0000-4000-8000-00000000000a' },
    });
  });

  it("copies the embedding rather than sharing the row's array", () => {
    const source = row();
    const datapoint = toDatapoint(source, { dimensions: 4 });
    source.embedding![0] = 9;
    expect(datapoint.featureVector[0]).toBe(0.5);
  });

  it("expects the contract's 1536 dimensions unless told otherwise", () => {
    expect(() => toDatapoint(row())).toThrow(expect.objectContaining({ code: 'VECTOR_EMBEDDING_DIMENSION' }));
    expect(toDatapoint(row({ embedding: new Array(1536).fill(0.1) })).featureVector).toHaveLength(1536);
  });

  it.each([
    ['missing', { embedding: null }, 'VECTOR_EMBEDDING_MISSING'],
    ['too short', { embedding: [1, 2, 3] }, 'VECTOR_EMBEDDING_DIMENSION'],
    ['NaN', { embedding: [1, Number.NaN, 0, 0] }, 'VECTOR_EMBEDDING_NOT_FINITE'],
    ['infinite', { embedding: [1, 0, Number.POSITIVE_INFINITY, 0] }, 'VECTOR_EMBEDDING_NOT_FINITE'],
    ['an id that is not a uuid', { id: 'chunk-1' }, 'VECTOR_DATAPOINT_INVALID'],
  ])('refuses an embedding %s with a non-retryable coded error', (_label, overrides, code) => {
    expect(() => toDatapoint(row(overrides as Partial<PublishedRow>), { dimensions: 4 })).toThrow(
      expect.objectContaining({ code, retryable: false, name: 'InvalidDatapointError' }),
    );
  });
});

describe('scoreFromDistance', () => {
  it("maps cosine distance [0, 2] to chat's score [1, 0]", () => {
    expect([0, 0.5, 1, 2].map(scoreFromDistance)).toEqual([1, 0.75, 0.5, 0]);
  });
});
