import type { Found } from './types.ts';

/** A scored candidate: its id, crowding tag and distance. */
export interface Scored {
  id: string;
  crowdingTag: string;
  distance: number;
}

/** Euclidean norm of a stored vector, in double precision. */
export function norm(vector: Float32Array | number[]): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Math.sqrt(sum);
}

/**
 * Vertex's cosine distance, 1 - cos(a, b), in [0, 2] (rounding can push |cos| a hair past 1). A zero
 * vector has no direction: its cosine with anything is taken as 0, distance 1, as hnswlib and the
 * memory index treat it.
 */
export function cosineDistance(query: number[], queryNorm: number, vector: Float32Array, vectorNorm: number): number {
  if (queryNorm === 0 || vectorNorm === 0) return 1;
  let dot = 0;
  for (let i = 0; i < vector.length; i++) dot += query[i]! * vector[i]!;
  return clampDistance(1 - dot / (queryNorm * vectorNorm));
}

export function clampDistance(distance: number): number {
  return Math.min(2, Math.max(0, distance));
}

/** Up to this many neighbours are picked by a bounded insertion list; more, by sorting every candidate. */
const BOUNDED_SELECTION_MAX = 64;

const byDistanceThenId = (a: Scored, b: Scored) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The first `count` candidates nearest first (ties by id), skipping a candidate once `perTag` nearer
 * ones share its crowding tag (Vertex's perCrowdingAttributeNeighborCount; 0 = no limit). Without a
 * crowding limit only the nearest `count` are kept while scanning, instead of sorting them all.
 */
export function takeNearest(candidates: Scored[], count: number, perTag: number): Found[] {
  if (perTag === 0 && count <= BOUNDED_SELECTION_MAX) return nearest(candidates, count).map(({ id, distance }) => ({ id, distance }));
  candidates.sort(byDistanceThenId);
  const limit = perTag > 0 ? perTag : Number.POSITIVE_INFINITY;
  const taken = new Map<string, number>();
  const found: Found[] = [];
  for (const candidate of candidates) {
    if (found.length >= count) break;
    const used = taken.get(candidate.crowdingTag) ?? 0;
    if (used >= limit) continue;
    taken.set(candidate.crowdingTag, used + 1);
    found.push({ id: candidate.id, distance: candidate.distance });
  }
  return found;
}

/** The `count` nearest candidates, sorted: a bounded insertion list, linear for the small counts queries ask. */
function nearest(candidates: Scored[], count: number): Scored[] {
  const best: Scored[] = [];
  for (const candidate of candidates) {
    if (best.length === count && byDistanceThenId(candidate, best[count - 1]!) >= 0) continue;
    let at = best.length;
    while (at > 0 && byDistanceThenId(candidate, best[at - 1]!) < 0) at--;
    best.splice(at, 0, candidate);
    if (best.length > count) best.pop();
  }
  return best;
}
