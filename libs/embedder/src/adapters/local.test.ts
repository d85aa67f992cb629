import { describe, expect, it } from 'vitest';
import { LOCAL_EMBEDDER_MODEL, createEmbedder } from '../index.ts';
import { features, stableHash } from './local.ts';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const norm = (v: number[]) => Math.sqrt(cosine(v, v));

describe('local feature-hashing embedder', () => {
  it('honours the configured dimension and names its model', async () => {
    for (const dimensions of [1, 7, 64, 1536]) {
      const embedder = createEmbedder({ provider: 'local', dimensions });
      const [vector] = await embedder.embed(['Members must obtain prior authorization.']);
      expect(vector).toHaveLength(dimensions);
      expect(embedder.dimensions).toBe(dimensions);
    }
    expect(createEmbedder({ provider: 'local', dimensions: 8 }).model).toBe(LOCAL_EMBEDDER_MODEL);
  });

  it('is deterministic across instances and calls, one vector per text in order', async () => {
    const texts = ['Prior authorization is required.', 'Claims are paid in 30 days.', ''];
    const first = await createEmbedder({ provider: 'local', dimensions: 256 }).embed(texts);
    const second = await createEmbedder({ provider: 'local', dimensions: 256 }).embed([...texts].reverse());
    expect(second.reverse()).toEqual(first);
    expect(first[0]).not.toEqual(first[1]);
  });

  it('keeps its hash stable, so stored embeddings stay comparable (change the model name if this changes)', () => {
    expect(stableHash('prior authorization')).toBe(3405490676);
    expect(stableHash('')).toBe(2872998923);
  });

  it('returns unit vectors of finite numbers, and a fixed unit vector for a text without words', async () => {
    const embedder = createEmbedder({ provider: 'local', dimensions: 128 });
    const vectors = await embedder.embed(['Eligibility is verified monthly.', 'a', '', '  ... !! ']);
    for (const vector of vectors) {
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(norm(vector)).toBeCloseTo(1, 12);
    }
    expect(vectors[2]).toEqual(vectors[3]);
    expect(vectors[2]![0]).toBe(1);
  });

  it('places similar texts closer than unrelated ones', async () => {
    const embedder = createEmbedder({ provider: 'local', dimensions: 1536 });
    const [query, similar, unrelated] = await embedder.embed([
      'prior authorization required for MRI imaging',
      'MRI imaging requires prior authorization from the plan',
      'the pharmacy closes at noon on holidays',
    ]);
    expect(cosine(query!, similar!)).toBeGreaterThan(0.4);
    expect(cosine(query!, similar!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.3);
  });

  it('uses lowercased word unigrams and bigrams as features', () => {
    expect(features('Prior  Auth, MRI!')).toEqual(['prior', 'auth', 'mri', 'prior auth', 'auth mri']);
    expect(features('')).toEqual([]);
  });

  it('rejects a dimension that is not a positive integer, with a stable code', () => {
    for (const dimensions of [0, -3, 1.5, Number.NaN]) {
      expect(() => createEmbedder({ provider: 'local', dimensions })).toThrow(
        expect.objectContaining({ name: 'EmbedderError', code: 'EMBEDDER_INVALID_CONFIG', retryable: false }),
      );
    }
  });
});
