/**
 * A small seeded generator (mulberry32) and Gaussian draws from it, shared by the benchmarks so two
 * runs with the same seed generate the same data and their figures compare.
 */
export function seededRandom(seed: number): { next: () => number; gaussian: () => number } {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const gaussian = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  return { next, gaussian };
}
