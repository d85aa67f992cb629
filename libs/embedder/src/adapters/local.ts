import { EmbedderError } from '../errors.ts';
import type { Embedder } from '../types.ts';

/** The model name the local embedder records; bump the suffix if the features or hash ever change. */
export const LOCAL_EMBEDDER_MODEL = 'local-feature-hash-v1';

/** FNV-1a 32-bit parameters, and two seeds so the bucket and the sign come from independent hashes. */
const FNV_PRIME = 0x01000193;
const BUCKET_SEED = 0x811c9dc5;
const SIGN_SEED = 0x9747b28c;

const encoder = new TextEncoder();

/** FNV-1a over the UTF-8 bytes of `text`, with a murmur3 finaliser for avalanche. Stable across runs. */
export function stableHash(text: string, seed: number = BUCKET_SEED): number {
  let hash = seed >>> 0;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Lowercased word unigrams followed by adjacent-word bigrams (`"prior auth"`). Words are letters and digits. */
export function features(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const bigrams = words.slice(1).map((word, index) => `${words[index]} ${word}`);
  return [...words, ...bigrams];
}

/** The vector of a text with no features (or whose features cancel out): a fixed unit vector. */
function fixedUnitVector(dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  vector[0] = 1;
  return vector;
}

/** Feature-hashes `text` into `dimensions` signed buckets, then scales it to unit L2 norm. */
export function hashEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const feature of features(text)) {
    const bucket = stableHash(feature, BUCKET_SEED) % dimensions;
    const sign = (stableHash(feature, SIGN_SEED) & 1) === 0 ? 1 : -1;
    vector[bucket]! += sign;
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  if (norm === 0) return fixedUnitVector(dimensions);
  return vector.map((value) => value / norm);
}

/**
 * The deterministic local embedder: no network, no model weights. Texts sharing words and word pairs
 * get vectors with a high cosine similarity, which is what search tests and local runs need.
 */
export function createLocalEmbedder(dimensions: number): Embedder {
  if (!Number.isInteger(dimensions) || dimensions <= 0) {
    throw new EmbedderError('EMBEDDER_INVALID_CONFIG', `dimensions must be a positive integer, got ${dimensions}`, false);
  }
  return {
    dimensions,
    model: LOCAL_EMBEDDER_MODEL,
    embed: async (texts) => texts.map((text) => hashEmbedding(text, dimensions)),
  };
}
