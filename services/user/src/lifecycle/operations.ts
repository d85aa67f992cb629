/**
 * The account lifecycle routes of `/api/v1/auth` the existing mobius-user has beside sign-in
 * (docs/api/user.md): password reset (request, confirm), set-password (an invite's token),
 * token-info, hand-off codes (mint, redeem), check-email and the activity catalogue. Errors are
 * the original's: 400 with the token problem as `detail` (`token_invalid`, `token_consumed`,
 * `token_expired`, `user_inactive`, `weak_password`).
 */
import { currentAccount } from '../auth/current-user.ts';
import { normalizeEmail, tenantIdOf } from '../auth/input.ts';
import { hashPassword } from '../auth/passwords.ts';
import { signIn } from '../auth/sessions.ts';
import type { AuthDeps, ClientInfo, SignInResponse } from '../auth/types.ts';
import { parseBody } from '../auth/validation.ts';
import { invalidInput, ValidationFailed } from '../errors.ts';
import { resetMailText, RESET_SUBJECT, setPasswordLink } from '../mail/messages.ts';
import type { PasswordTokenResult } from '../repository/lifecycle-types.ts';
import {
  checkNewPassword,
  emailBodySchema,
  handoffMintBodySchema,
  handoffRedeemBodySchema,
  tokenInfoQuerySchema,
  tokenPasswordBodySchema,
} from './input.ts';
import { maskEmail, newRawToken, tokenHash } from './tokens.ts';

/** A hand-off code lives this long (the original's HANDOFF_TTL_SECONDS). */
export const HANDOFF_TTL_SECONDS = 60;

/** A token problem as the original answers it. */
function refusedUnless(result: PasswordTokenResult): asserts result is Extract<PasswordTokenResult, { ok: true }> {
  if (!result.ok) throw invalidInput(result.problem);
}

/**
 * The reset request's work, after the 202: when the tenant has an active user with this email, a
 * reset token (older reset links die) and its mail. Nothing is sent without MOBIUS_SET_PASSWORD_URL_BASE
 * (as the original: the mail would have no link).
 */
async function sendResetMail(deps: AuthDeps, tenantId: string, email: string): Promise<void> {
  const user = await deps.repository.lifecycle.userByEmail(tenantId, email);
  if (user?.status !== 'active') return;
  const base = deps.mail.setPasswordUrlBase;
  if (!base) {
    deps.mail.logger.warn('password reset requested but MOBIUS_SET_PASSWORD_URL_BASE is unset: no mail sent');
    return;
  }
  const raw = newRawToken();
  const issued = await deps.repository.lifecycle.issueToken({
    userId: user.userId,
    purpose: 'reset',
    tokenHash: tokenHash(raw),
    ttlSeconds: deps.mail.resetTtlSeconds,
    createdBy: 'self',
    rotate: true,
  });
  await deps.mail.mailer.send({
    to: user.email,
    subject: RESET_SUBJECT,
    text: resetMailText(user.firstName, setPasswordLink(base, raw)),
    intent: 'password_reset',
    idempotencyKey: `reset:${issued.tokenId}`,
  });
}

/**
 * `POST /password-reset/request {email, tenant_id?}` -> always 202 `{ok: true}`, whether or not the
 * email has an account, and when the request is over its rate limit (per client address and per
 * email): the answer tells nothing. The work runs after the answer (background.ts).
 */
export function requestPasswordReset(deps: AuthDeps, body: unknown, throttled: boolean) {
  const input = parseBody(emailBodySchema, body);
  const email = normalizeEmail(input.email);
  if (!throttled && email) {
    const tenantId = tenantIdOf(input.tenant_id);
    deps.background.run('password reset request', () => sendResetMail(deps, tenantId, email));
  }
  return { ok: true as const };
}

/** Checks the token before spending a bcrypt hash on it; consuming it re-checks in one transaction. */
async function usableToken(deps: AuthDeps, raw: string, purpose: 'reset' | 'invite'): Promise<string> {
  const hash = tokenHash(raw);
  const found = await deps.repository.lifecycle.findToken(hash);
  if (!found || found.purpose !== purpose) throw invalidInput('token_invalid');
  if (found.consumed) throw invalidInput('token_consumed');
  if (found.expired) throw invalidInput('token_expired');
  return hash;
}

/**
 * `POST /password-reset/confirm {token, new_password}` -> `{ok, message}`: the password is set,
 * the token consumed and every session of the user revoked. 400 weak_password / token_*.
 */
export async function confirmPasswordReset(deps: AuthDeps, body: unknown) {
  const input = parseBody(tokenPasswordBodySchema, body);
  checkNewPassword(input.new_password);
  const hash = await usableToken(deps, input.token.trim(), 'reset');
  const passwordHash = await deps.hashQueue.run(() => hashPassword(input.new_password));
  refusedUnless(await deps.repository.lifecycle.consumeWithPassword(hash, 'reset', passwordHash));
  return { ok: true as const, message: 'Password updated. Please sign in.' };
}

/**
 * `POST /set-password {token, new_password}` (an invite's token): the password is set, an invited
 * account becomes active, and the user is signed in: `{ok, message: "Password set", ...envelope}`.
 */
export async function setPassword(deps: AuthDeps, body: unknown, client: ClientInfo): Promise<SignInResponse & { message: string }> {
  const input = parseBody(tokenPasswordBodySchema, body);
  checkNewPassword(input.new_password);
  const hash = await usableToken(deps, input.token.trim(), 'invite');
  const passwordHash = await deps.hashQueue.run(() => hashPassword(input.new_password));
  const result = await deps.repository.lifecycle.consumeWithPassword(hash, 'invite', passwordHash);
  refusedUnless(result);
  const session = await signIn(deps, result, client, { provider: 'email' });
  return { ...session, ok: true, message: 'Password set' };
}

/** `GET /token-info?token=` -> `{valid, purpose, expires_at, email_masked, error?}`; an unknown token `{valid: false, error: "token_invalid"}`. */
export async function tokenInfo(deps: AuthDeps, query: unknown) {
  let token: string;
  try {
    token = parseBody(tokenInfoQuerySchema, query).token;
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    throw new ValidationFailed(error.problems.map((p) => ({ ...p, loc: ['query', ...p.loc.slice(1)] })));
  }
  const found = await deps.repository.lifecycle.findToken(tokenHash(token.trim()));
  if (!found) return { valid: false, error: 'token_invalid' };
  const valid = !found.consumed && !found.expired;
  return {
    valid,
    purpose: found.purpose,
    expires_at: found.expiresAt,
    email_masked: maskEmail(found.email),
    ...(valid ? {} : { error: found.consumed ? 'token_consumed' : 'token_expired' }),
  };
}

/**
 * `POST /handoff/mint` (Bearer) -> `{ok, code, expires_in: 60}`: a single-use code for one cross-origin
 * hop. It takes no body; one that is sent must be a JSON object (its fields are ignored), else 422.
 */
export async function mintHandoff(deps: AuthDeps, authorization: string | undefined, body: unknown) {
  const account = await currentAccount(deps, authorization);
  parseBody(handoffMintBodySchema, body);
  const raw = newRawToken();
  await deps.repository.lifecycle.issueToken({
    userId: account.profile.user_id,
    purpose: 'handoff',
    tokenHash: tokenHash(raw),
    ttlSeconds: HANDOFF_TTL_SECONDS,
    createdBy: 'chat-handoff',
    rotate: false,
  });
  return { ok: true as const, code: raw, expires_in: HANDOFF_TTL_SECONDS };
}

/** `POST /handoff/redeem {code}` -> `{ok, ...envelope}` for the code's active user; 400 token_* / user_inactive. */
export async function redeemHandoff(deps: AuthDeps, body: unknown, client: ClientInfo): Promise<SignInResponse> {
  const input = parseBody(handoffRedeemBodySchema, body);
  const result = await deps.repository.lifecycle.consumeHandoff(tokenHash(input.code.trim()));
  refusedUnless(result);
  return signIn(deps, result, client, { provider: 'email' });
}

/**
 * `POST /check-email {email, tenant_id?}` -> `{ok, exists: false}` or `{ok, exists: true, user:
 * {display_name, first_name, is_onboarded}}` for the tenant's active user; 400 "Email is required".
 */
export async function checkEmail(deps: AuthDeps, body: unknown) {
  const input = parseBody(emailBodySchema, body);
  const email = normalizeEmail(input.email);
  if (!email) throw invalidInput('Email is required');
  const user = await deps.repository.lifecycle.userByEmail(tenantIdOf(input.tenant_id), email);
  if (user?.status !== 'active') return { ok: true as const, exists: false };
  return {
    ok: true as const,
    exists: true,
    user: { display_name: user.displayName, first_name: user.firstName, is_onboarded: user.onboarded },
  };
}

/** `GET /activities` -> `{ok, activities: [{activity_code, label, description}]}`, active ones by display order. */
export async function listActivities(deps: AuthDeps) {
  return { ok: true as const, activities: await deps.repository.lifecycle.activities() };
}
