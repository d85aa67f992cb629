/**
 * The chat API's error catalogue: every error a client can get, with its stable code. Token problems
 * are answered by @mobius/auth's hook (401, codes TOKEN_*); the rest go through the service's one
 * error handler as `{ error: { code, message } }`.
 */
import { HttpError } from '@mobius/service';

export const CHAT_ERROR_CODES = {
  /** 400: the body is not what the route takes; the message names the field. */
  invalidBody: 'INVALID_BODY',
} as const;

export const invalidBody = (message: string) => new HttpError(400, CHAT_ERROR_CODES.invalidBody, message);
