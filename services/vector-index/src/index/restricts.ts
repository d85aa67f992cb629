import type { NeighborSearch, NumericFilter, NumericOperator, NumericRestrict, NumericValue, TokenRestrict } from './types.ts';

/** A datapoint's restricts, indexed for matching: tokens and numeric values by namespace. */
export interface DatapointAttributes {
  tokens: Map<string, { allow: Set<string>; deny: Set<string> }>;
  numbers: Map<string, NumericValue[]>;
}

/** A query's filters, merged by namespace (Vertex ORs tokens within a namespace, ANDs namespaces). */
export interface CompiledFilter {
  tokens: { namespace: string; allow: string[]; deny: string[] }[];
  numeric: NumericFilter[];
  /** True when the query filters nothing, so every datapoint passes. */
  empty: boolean;
}

export function attributesOf(restricts: TokenRestrict[], numericRestricts: NumericRestrict[]): DatapointAttributes {
  const tokens = new Map<string, { allow: Set<string>; deny: Set<string> }>();
  for (const r of restricts) {
    const entry = tokens.get(r.namespace) ?? { allow: new Set<string>(), deny: new Set<string>() };
    for (const token of r.allowList) entry.allow.add(token);
    for (const token of r.denyList) entry.deny.add(token);
    tokens.set(r.namespace, entry);
  }
  const numbers = new Map<string, NumericValue[]>();
  for (const r of numericRestricts) numbers.set(r.namespace, [...(numbers.get(r.namespace) ?? []), r.value]);
  return { tokens, numbers };
}

export function compileFilter(search: Pick<NeighborSearch, 'restricts' | 'numericRestricts'>): CompiledFilter {
  const merged = new Map<string, { namespace: string; allow: string[]; deny: string[] }>();
  for (const r of search.restricts) {
    const entry = merged.get(r.namespace) ?? { namespace: r.namespace, allow: [], deny: [] };
    entry.allow.push(...r.allowList);
    entry.deny.push(...r.denyList);
    merged.set(r.namespace, entry);
  }
  // A namespace with neither allowed nor denied tokens restricts nothing.
  const tokens = [...merged.values()].filter((t) => t.allow.length > 0 || t.deny.length > 0);
  return { tokens, numeric: search.numericRestricts, empty: tokens.length === 0 && search.numericRestricts.length === 0 };
}

/**
 * Whether a datapoint passes a query's filters, as Vertex AI Vector Search documents them:
 * - tokens: for every namespace the query names, the datapoint must hold one of the query's allowed
 *   tokens there (when the query allows any), must not hold a token the query denies, and must not deny
 *   a token the query allows. A namespace with only denied tokens passes every datapoint without them.
 * - numbers: for every numeric filter, one of the datapoint's values in that namespace, of the same
 *   type, must satisfy `value op query value`; a datapoint without such a value does not pass.
 */
export function passes(attributes: DatapointAttributes, filter: CompiledFilter): boolean {
  for (const query of filter.tokens) {
    const own = attributes.tokens.get(query.namespace);
    if (query.allow.length > 0 && !query.allow.some((token) => own?.allow.has(token))) return false;
    if (own && query.deny.some((token) => own.allow.has(token))) return false;
    if (own && own.deny.size > 0 && query.allow.some((token) => own.deny.has(token))) return false;
  }
  for (const query of filter.numeric) {
    const values = attributes.numbers.get(query.namespace) ?? [];
    if (!values.some((value) => compare(value, query.value, query.op))) return false;
  }
  return true;
}

/** `own op other`, for values of the same type; values of different types never compare true. */
function compare(own: NumericValue, other: NumericValue, op: NumericOperator): boolean {
  if (own.type !== other.type) return false;
  const a = own.value;
  const b = other.value;
  switch (op) {
    case 'LESS':
      return a < b;
    case 'LESS_EQUAL':
      return a <= b;
    case 'EQUAL':
      return a === b;
    case 'GREATER_EQUAL':
      return a >= b;
    case 'GREATER':
      return a > b;
    case 'NOT_EQUAL':
      return a !== b;
  }
}
