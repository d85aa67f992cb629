import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.ts';

/**
 * Text Postgres cannot store, refused at the door with a 400 that names the field, in every service.
 * Postgres refuses U+0000 in `text`, `varchar` and `jsonb` (a 500 deep in a handler otherwise), and a
 * lone UTF-16 surrogate (half of a pair, e.g. `"\ud800"` in JSON) is no Unicode text at all: `jsonb`
 * refuses it and node-postgres would silently store U+FFFD in its place for `text`.
 */

/** The code of the 400: the same as the services' own body validation, so clients handle one code. */
export const UNSTORABLE_TEXT_CODE = 'INVALID_BODY';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` cannot be stored, or undefined when it can. */
export function unstorableTextReason(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000), which Postgres cannot store';
  if (LONE_SURROGATE.test(value)) return 'contains a lone UTF-16 surrogate (not valid Unicode text)';
  return undefined;
}

/** `filters.document_payer`, `datapoints[3].datapointId`: how a field is named in a message. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * The first string (value or object key) anywhere in a parsed JSON value that Postgres cannot store,
 * as `{field, reason}`; undefined when there is none. Iterative, so a deeply nested body cannot
 * overflow the stack; arrays of numbers (vectors) cost one type check per element.
 */
export function findUnstorableText(value: unknown): { field: string; reason: string } | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unstorableTextReason(current);
      if (reason) return { field: path || 'body', reason };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) {
        const item: unknown = current[i];
        if (item !== null && typeof item !== 'number' && typeof item !== 'boolean') stack.push([item, childPath(path, i)]);
      }
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        const keyReason = unstorableTextReason(key);
        if (keyReason) return { field: `a field name in ${path || 'body'}`, reason: keyReason };
        stack.push([item, childPath(path, key)]);
      }
    }
  }
  return undefined;
}

/**
 * Throws the 400 `{field} {reason}` when `value` holds text Postgres cannot store; `where` prefixes
 * the field (`query parameter payer`).
 */
export function assertStorableText(value: unknown, where = ''): void {
  const found = findUnstorableText(value);
  if (found) throw new HttpError(400, UNSTORABLE_TEXT_CODE, `${where}${found.field} ${found.reason}`);
}

/**
 * A `preValidation` hook buildServiceApp installs on every app: the path parameters, the query string
 * and the parsed body must hold only storable text. The 400 is thrown, so each app's own error
 * handler renders it in that app's format.
 */
export async function rejectUnstorableText(request: FastifyRequest): Promise<void> {
  assertStorableText(request.params, 'path parameter ');
  assertStorableText(request.query, 'query parameter ');
  assertStorableText(request.body);
}
