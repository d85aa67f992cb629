import { z } from 'zod';
import { invalidInput } from '../errors.ts';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARACTERS } from '../auth/input.ts';

/**
 * The lifecycle routes' bodies, shaped as the original's pydantic models (a wrong shape is a 422),
 * with lengths bounded (a longer value is a 422 string_too_long).
 */
const TOKEN_MAX_CHARACTERS = 512;

export const emailBodySchema = z.object({ email: z.string().max(254), tenant_id: z.string().max(64).nullish() });
export const tokenPasswordBodySchema = z.object({ token: z.string().max(TOKEN_MAX_CHARACTERS), new_password: z.string().max(1024) });
/** Mint takes no body; a body that is sent must be an object. */
export const handoffMintBodySchema = z.looseObject({}).nullish();
export const handoffRedeemBodySchema = z.object({ code: z.string().max(TOKEN_MAX_CHARACTERS) });
export const tokenInfoQuerySchema = z.object({ token: z.string().max(TOKEN_MAX_CHARACTERS) });

/** The original's 400 `weak_password` under 8 characters; over bcrypt's 72 bytes is refused too (never truncated). */
export function checkNewPassword(password: string): void {
  if (password.length < PASSWORD_MIN_CHARACTERS) throw invalidInput('weak_password');
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) throw invalidInput('Password must be at most 72 bytes');
}
