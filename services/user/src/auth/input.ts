import { DEFAULT_TENANT_ID } from '@mobius/auth';
import { z } from 'zod';
import { invalidBody } from '../errors.ts';

/** bcrypt reads at most 72 bytes of a password; a longer one would be silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_CHARACTERS = 8;
/** The longest email address SMTP allows. */
const EMAIL_MAX_CHARACTERS = 254;
/** Name fields are free text; the limit only keeps rows and responses small. */
const NAME_MAX_CHARACTERS = 255;

const required = (kind: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${kind}`),
});

/** How every email is stored and looked up: trimmed and lowercased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const email = z
  .string(required('a string'))
  .transform(normalizeEmail)
  .pipe(z.string().max(EMAIL_MAX_CHARACTERS, 'must be at most 254 characters').pipe(z.email('must be a valid email address')));

const newPassword = z
  .string(required('a string'))
  .min(PASSWORD_MIN_CHARACTERS, `must be at least ${PASSWORD_MIN_CHARACTERS} characters`)
  .refine((value) => Buffer.byteLength(value, 'utf8') <= PASSWORD_MAX_BYTES, `must be at most ${PASSWORD_MAX_BYTES} bytes`);

/** At login any non-empty string is checked; a wrong one is a 401 like every other wrong password. */
const givenPassword = z.string(required('a string')).min(1, 'must not be empty').max(1024, 'must be at most 1024 characters');

/** Optional free text: trimmed; absent, null and empty all mean "not given". */
const optionalName = z
  .string(required('a string'))
  .trim()
  .max(NAME_MAX_CHARACTERS, `must be at most ${NAME_MAX_CHARACTERS} characters`)
  .nullish()
  .transform((value) => (value ? value : null));

const tenantId = z
  .guid('must be a uuid')
  .nullish()
  .transform((value) => (value ?? DEFAULT_TENANT_ID).toLowerCase());

const token = z.string(required('a string')).min(1, 'must not be empty').max(4096, 'must be at most 4096 characters');

const object = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: () => 'must be a JSON object' });

/** `POST /api/v1/auth/register`. */
export const registerBodySchema = object({
  email,
  password: newPassword,
  display_name: optionalName,
  first_name: optionalName,
  preferred_name: optionalName,
  tenant_id: tenantId,
});
export type RegisterBody = z.output<typeof registerBodySchema>;

/** `POST /api/v1/auth/login`. */
export const loginBodySchema = object({ email, password: givenPassword, tenant_id: tenantId });
export type LoginBody = z.output<typeof loginBodySchema>;

/** `POST /api/v1/auth/refresh`. */
export const refreshBodySchema = object({ refresh_token: token });

/** `POST /api/v1/auth/logout`: the body is optional when a bearer access token is sent instead. */
export const logoutBodySchema = object({ refresh_token: token.optional() })
  .nullish()
  .transform((body) => ({ refreshToken: body?.refresh_token }));

/**
 * Parses `body` with `schema`, or throws a 400 naming the first wrong field (`password must be at
 * least 8 characters`). The message never repeats the value given.
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length === 0 ? 'body' : issue.path.join('.');
  throw invalidBody(field, `${field} ${issue.message}`);
}

/** The normalised email of a login body, or undefined when it has none (the rate limiter's key). */
export function emailOf(body: unknown): string | undefined {
  const value = (body as { email?: unknown } | null | undefined)?.email;
  return typeof value === 'string' && value.trim() !== '' ? normalizeEmail(value) : undefined;
}
