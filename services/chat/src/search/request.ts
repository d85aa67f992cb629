import { RESTRICT_NAMESPACES } from '@mobius/vector-index';
import { z } from 'zod';
import { invalidBody } from '../errors.ts';
import type { SearchFilters, SearchRequest } from './types.ts';

/** The limits of a search body, in one place. */
export const SEARCH_LIMITS = {
  /** Neighbours when `k` is not given. */
  defaultK: 10,
  /** Most neighbours one search may ask for. */
  maxK: 100,
  /** Longest query text, in characters: a question, not a document. */
  maxQueryChars: 8_000,
  /** Longest filter value: the widest filtered column (payer, program, authority level) is varchar(100). */
  maxFilterChars: 100,
} as const;

const filterValue = z
  .string({ error: 'must be a string' })
  .max(SEARCH_LIMITS.maxFilterChars, `must be at most ${SEARCH_LIMITS.maxFilterChars} characters`)
  .nullish();

/** Unknown filters are refused: a misspelt `document_payr` silently ignored would return every payer. */
const filtersSchema = z.strictObject(
  Object.fromEntries(RESTRICT_NAMESPACES.map((namespace) => [namespace, filterValue])) as Record<
    (typeof RESTRICT_NAMESPACES)[number],
    typeof filterValue
  >,
  { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
);

/** The body of `POST /v1/search` for an index of `dimensions`. Unknown fields are refused (a typo is not a no-op). */
function searchBodySchema(dimensions: number) {
  return z.strictObject(
    {
      query: z
        .string({ error: 'must be a string' })
        .trim()
        .min(1, 'must not be empty')
        .max(SEARCH_LIMITS.maxQueryChars, `must be at most ${SEARCH_LIMITS.maxQueryChars} characters`)
        .optional(),
      vector: z
        .array(z.unknown(), { error: 'must be an array of numbers' })
        .length(dimensions, `must have exactly ${dimensions} numbers (the index's dimension)`)
        .optional(),
      k: z
        .number({ error: 'must be an integer' })
        .int('must be an integer')
        .min(1, 'must be at least 1')
        .max(SEARCH_LIMITS.maxK, `must be at most ${SEARCH_LIMITS.maxK}`)
        .default(SEARCH_LIMITS.defaultK),
      filters: filtersSchema.nullish(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
  );
}

/** The field an issue is about, dotted (`filters.document_payer`, `vector[3]`); `body` for the whole. */
function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  return path.length === 0 ? 'body' : path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');
}

/** A 400 naming the field: `k must be at most 100`, `filters.document_payr is not a known field`. */
function firstIssue(error: z.ZodError): never {
  const issue = error.issues[0]!;
  const message = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  throw invalidBody(`${fieldOf(issue)} ${message}`);
}

/** Throws a 400 naming the first element of `vector` that is not a finite number. */
function finiteVector(vector: unknown[]): number[] {
  const bad = vector.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
  if (bad >= 0) throw invalidBody(`vector[${bad}] must be a finite number`);
  return vector as number[];
}

/** Keeps the filters that were given (null and absent mean no filter). */
function givenFilters(filters: Record<string, string | null | undefined> | null | undefined): SearchFilters {
  const given: SearchFilters = {};
  for (const namespace of RESTRICT_NAMESPACES) {
    const value = filters?.[namespace];
    if (typeof value === 'string') given[namespace] = value;
  }
  return given;
}

/**
 * Validates a search body for an index of `dimensions`: exactly one of `query` (non-empty text) and
 * `vector` (`dimensions` finite numbers); `k` an integer in 1..100 (default 10); `filters` only the
 * five restrict namespaces, each a string. Throws a 400 INVALID_BODY whose message names the field.
 */
export function parseSearchRequest(body: unknown, dimensions: number): SearchRequest {
  const result = searchBodySchema(dimensions).safeParse(body);
  if (!result.success) firstIssue(result.error);
  const { query, vector, k, filters } = result.data;
  if (query !== undefined && vector !== undefined) throw invalidBody('query and vector are exclusive: give one');
  if (query === undefined && vector === undefined) throw invalidBody('query is required (or give vector)');
  const request: SearchRequest = { k, filters: givenFilters(filters) };
  if (query !== undefined) request.query = query;
  if (vector !== undefined) request.vector = finiteVector(vector);
  return request;
}
