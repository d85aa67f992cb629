import type { z } from 'zod';
import { ValidationFailed, type ValidationProblem } from '../errors.ts';

/**
 * Body validation the way the existing FastAPI service does it: a schema checks only the shape a
 * pydantic model would (required fields, types); a body that fails is a 422 whose `detail` lists
 * `{type, loc: ['body', field], msg}` in pydantic's words. The route's own rules (empty email, short
 * password) are checked afterwards and answer 400 with a sentence, as the original's HTTPExceptions do.
 * The given value is never echoed (pydantic's `input` is left out: it would repeat a password).
 */

/** pydantic's type name and message for a value of the wrong type, by the type zod expected. */
const WRONG_TYPE: Record<string, { type: string; msg: string }> = {
  string: { type: 'string_type', msg: 'Input should be a valid string' },
  boolean: { type: 'bool_type', msg: 'Input should be a valid boolean' },
  array: { type: 'list_type', msg: 'Input should be a valid list' },
  object: { type: 'dict_type', msg: 'Input should be a valid dictionary' },
  record: { type: 'dict_type', msg: 'Input should be a valid dictionary' },
  number: { type: 'int_type', msg: 'Input should be a valid integer' },
};

/** The body itself is not a JSON object (FastAPI's message for a model body). */
const NOT_AN_OBJECT = { type: 'model_attributes_type', msg: 'Input should be a valid dictionary or object to extract fields from' };

/** The value at `path` in `body` (zod does not report the input of an issue unless asked to). */
function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let value = body;
  for (const key of path) value = value === null || typeof value !== 'object' ? undefined : (value as Record<PropertyKey, unknown>)[key];
  return value;
}

function problemOf(issue: z.core.$ZodIssue, body: unknown): ValidationProblem {
  const loc: (string | number)[] = ['body', ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))];
  if (issue.code === 'invalid_type') {
    if (valueAt(body, issue.path) === undefined) return { type: 'missing', loc, msg: 'Field required' };
    if (issue.path.length === 0) return { ...NOT_AN_OBJECT, loc };
    return { ...(WRONG_TYPE[issue.expected] ?? { type: 'value_error', msg: issue.message }), loc };
  }
  if (issue.code === 'too_big' && issue.origin === 'string') {
    return { type: 'string_too_long', loc, msg: `String should have at most ${issue.maximum} characters` };
  }
  if (issue.code === 'too_big' && issue.origin === 'array') {
    return { type: 'too_long', loc, msg: `List should have at most ${issue.maximum} items` };
  }
  return { type: 'value_error', loc, msg: issue.message };
}

/** The body parsed by `schema`, or a ValidationFailed (422) listing every problem. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new ValidationFailed(result.error.issues.map((issue) => problemOf(issue, body)));
}
