import { describe, expect, it } from 'vitest';
import { embeddingProblem } from './embedding-check.ts';

describe('embeddingProblem', () => {
  const good = [0.25, -1, 0, 3.4028234663852886e38];

  it('accepts an array of exactly `dimensions` numbers that a float32 holds', () => {
    expect(embeddingProblem(good, 4)).toBeUndefined();
  });

  it.each([
    ['null', null, 'EMBEDDING_MISSING', 'embedding is missing (must be an array of numbers)'],
    ['an object', { 0: 1 }, 'EMBEDDING_MISSING', 'embedding is missing (must be an array of numbers)'],
    ['too short', good.slice(1), 'EMBEDDING_DIMENSION', 'embedding has 3 dimensions, expected 4'],
    ['empty', [], 'EMBEDDING_DIMENSION', 'embedding has 0 dimensions, expected 4'],
    ['NaN', good.with(1, Number.NaN), 'EMBEDDING_NOT_FINITE', 'embedding[1] is NaN, not a finite number'],
    ['-Infinity', good.with(0, -Infinity), 'EMBEDDING_NOT_FINITE', 'embedding[0] is -Infinity, not a finite number'],
    ['a string', [0, '0.5', 0, 0], 'EMBEDDING_NOT_FINITE', 'embedding[1] is "0.5", not a finite number'],
    ['null inside', [0, 0, null, 0], 'EMBEDDING_NOT_FINITE', 'embedding[2] is null, not a finite number'],
    ['beyond float32', good.with(3, 1e39), 'EMBEDDING_NOT_FINITE', 'embedding[3] is 1e+39, beyond the range of a float32'],
  ])('names the problem of an embedding that is %s', (_, embedding, code, reason) => {
    expect(embeddingProblem(embedding, 4)).toEqual({ code, reason });
  });
});
