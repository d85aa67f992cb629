import type { CompiledFilter } from './restricts.ts';
import type { TokenRestrict } from './types.ts';

/**
 * The inverted index of allowed tokens: namespace -> token -> labels of the datapoints allowing it.
 * It narrows a filtered query to the datapoints that can pass before each is checked in full, so a
 * query filtered to one payer looks at that payer's datapoints, not at the whole index.
 */
export class TokenPostings {
  private readonly postings = new Map<string, Map<string, Set<number>>>();

  add(label: number, restricts: TokenRestrict[]): void {
    for (const r of restricts) {
      let byToken = this.postings.get(r.namespace);
      if (!byToken) this.postings.set(r.namespace, (byToken = new Map()));
      for (const token of r.allowList) {
        let labels = byToken.get(token);
        if (!labels) byToken.set(token, (labels = new Set()));
        labels.add(label);
      }
    }
  }

  remove(label: number, restricts: TokenRestrict[]): void {
    for (const r of restricts) {
      const byToken = this.postings.get(r.namespace);
      for (const token of r.allowList) {
        const labels = byToken?.get(token);
        labels?.delete(label);
        if (labels?.size === 0) byToken!.delete(token);
      }
    }
  }

  /**
   * The labels that can pass `filter`'s allowed tokens: those holding, in every namespace whose tokens
   * the query allows, one of them (the intersection, walked from the smallest namespace). The caller
   * still checks each in full (deny lists, numbers). Undefined when the query allows no token anywhere
   * (only deny lists or numbers): then every datapoint can pass.
   */
  candidates(filter: CompiledFilter): number[] | undefined {
    const groups: Set<number>[][] = [];
    for (const query of filter.tokens) {
      if (query.allow.length === 0) continue;
      const byToken = this.postings.get(query.namespace);
      const sets = [...new Set(query.allow)].map((token) => byToken?.get(token)).filter((set): set is Set<number> => set !== undefined);
      if (sets.length === 0) return [];
      groups.push(sets);
    }
    if (groups.length === 0) return undefined;
    const size = (group: Set<number>[]) => group.reduce((sum, set) => sum + set.size, 0);
    const [smallest, ...others] = groups.sort((a, b) => size(a) - size(b)) as [Set<number>[], ...Set<number>[][]];
    const labels: number[] = [];
    for (const set of smallest) {
      for (const label of set) if (others.every((group) => group.some((other) => other.has(label)))) labels.push(label);
    }
    // A datapoint holding two of the smallest namespace's tokens was collected twice.
    return smallest.length > 1 ? [...new Set(labels)] : labels;
  }
}
