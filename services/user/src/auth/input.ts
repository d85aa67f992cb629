import { DEFAULT_TENANT_ID } from '@mobius/auth';
import { z } from 'zod';
import { invalidInput } from '../errors.ts';

/**
 * The bodies of `/api/v1/auth/*`, shaped as the existing service's pydantic models (fields, types,
 * optional and nullable alike); the routes' value rules are the functions below them. Lengths are
 * bounded (the original bounds none): a longer value is a 422 `string_too_long`.
 */

/** bcrypt reads at most 72 bytes of a password; a longer one would be silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_CHARACTERS = 8;
/** The longest email address SMTP allows. */
const EMAIL_MAX_CHARACTERS = 254;
/** Name-like fields: the limit only keeps rows and answers small. */
const TEXT_MAX_CHARACTERS = 255;
/** A token (refresh, Google ID token, reset token) is a few hundred bytes to ~2 KB. */
const TOKEN_MAX_CHARACTERS = 8192;
/** `device_info` is stored as the session's jsonb: kept small. */
const DEVICE_INFO_MAX_BYTES = 2048;
/** Activity codes and hesitation chips per request. */
const LIST_MAX_ITEMS = 50;

const text = (max = TEXT_MAX_CHARACTERS) => z.string().max(max);
const optionalText = (max = TEXT_MAX_CHARACTERS) => text(max).nullish();
const optionalFlag = z.boolean().nullish();
const codeList = z.array(text(100)).max(LIST_MAX_ITEMS).nullish();
const deviceInfo = z
  .record(z.string(), z.unknown())
  .nullish()
  .refine(
    (value) => value == null || JSON.stringify(value).length <= DEVICE_INFO_MAX_BYTES,
    `must be at most ${DEVICE_INFO_MAX_BYTES} bytes of JSON`,
  );

/** How every email is stored and looked up: trimmed and lowercased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A uuid tenant id, else the default tenant (the original ignores a malformed one the same way). */
export function tenantIdOf(value: string | null | undefined): string {
  const given = value?.trim().toLowerCase();
  return given && z.uuid().safeParse(given).success ? given : DEFAULT_TENANT_ID;
}

export const registerBodySchema = z.object({
  email: text(EMAIL_MAX_CHARACTERS),
  password: text(1024),
  display_name: optionalText(),
  first_name: optionalText(),
  /** Addition: the original's register model has no preferred_name; accepted and stored when given. */
  preferred_name: optionalText(),
  tenant_id: optionalText(64),
});

export const loginBodySchema = z.object({
  email: text(EMAIL_MAX_CHARACTERS),
  password: text(1024),
  tenant_id: optionalText(64),
  device_info: deviceInfo,
});

export const googleBodySchema = z.object({
  id_token: text(TOKEN_MAX_CHARACTERS).nullish(),
  tenant_id: optionalText(64),
  device_info: deviceInfo,
});

export const refreshBodySchema = z.object({ refresh_token: text(TOKEN_MAX_CHARACTERS) });

/** The original's logout takes an optional body whose refresh_token is optional. */
export const logoutBodySchema = z.object({ refresh_token: text(TOKEN_MAX_CHARACTERS).nullish() }).nullish();

export const onboardingBodySchema = z.object({
  preferred_name: optionalText(),
  activities: codeList,
  ai_experience_level: optionalText(20),
  autonomy_routine_tasks: optionalText(20),
  autonomy_sensitive_tasks: optionalText(20),
  tone: optionalText(20),
  greeting_enabled: optionalFlag,
  timezone: optionalText(64),
});
export type OnboardingBody = z.output<typeof onboardingBodySchema>;

export const preferencesBodySchema = z.object({
  preferred_name: optionalText(),
  timezone: optionalText(64),
  locale: optionalText(32),
  tone: optionalText(20),
  greeting_enabled: optionalFlag,
  ai_experience_level: optionalText(20),
  autonomy_routine_tasks: optionalText(20),
  autonomy_sensitive_tasks: optionalText(20),
  activities: codeList,
  organization: optionalText(),
  hesitations: codeList,
  source: optionalText(),
});
export type PreferencesBody = z.output<typeof preferencesBodySchema>;

/** The 400s the original's register and login answer before anything else, in its words. */
export function requireCredentials(email: string, password: string): void {
  if (!email) throw invalidInput('Email is required');
  if (!password) throw invalidInput('Password is required');
}

/**
 * Register's password and email rules: the original's minimum length, plus what this service adds
 * (a plausible address; at most bcrypt's 72 bytes, which the original silently truncates).
 */
export function checkNewAccount(email: string, password: string): void {
  requireCredentials(email, password);
  if (password.length < PASSWORD_MIN_CHARACTERS) throw invalidInput('Password must be at least 8 characters');
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) throw invalidInput('Password must be at most 72 bytes');
  if (!z.email().safeParse(email).success) throw invalidInput('Email is not a valid address');
}

/** Trimmed text, or null when absent or blank (the original's `(x or "").strip() or None`). */
export const blankToNull = (value: string | null | undefined): string | null => value?.trim() || null;
