import type { TokenService } from '@mobius/auth';
import type { Logger } from '@mobius/service';
import type { BackgroundWork } from '../lifecycle/background.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { UserRepository } from '../repository/types.ts';
import type { EnvelopeUser } from './account-view.ts';
import type { GoogleIdTokenVerifier } from './google-id-token.ts';
import type { PasswordHashQueue } from './hash-queue.ts';

/** What the auth operations need: the store, the one token minter/validator of `@mobius/auth`, and ports. */
export interface AuthDeps {
  repository: UserRepository;
  tokens: TokenService;
  /** The access token lifetime in seconds (`expires_in`), the same the token service mints with. */
  accessTokenSeconds: number;
  /** Bounds register's bcrypt work (hash-queue.ts). */
  hashQueue: PasswordHashQueue;
  /** Null when GOOGLE_CLIENT_ID is unset: Google sign-in answers that it is not configured. */
  google: GoogleIdTokenVerifier | null;
  /** The account mails (password reset, invite). */
  mail: AccountMail;
  /** Work started after a route answered (the reset request). */
  background: BackgroundWork;
}

/** How account mails are made and sent (config.ts: USER_MAILER, MOBIUS_SET_PASSWORD_URL_BASE, the TTLs). */
export interface AccountMail {
  mailer: Mailer;
  /** The page that consumes `?token=` links; null: no reset or invite mail is sent (as the original). */
  setPasswordUrlBase: string | null;
  resetTtlSeconds: number;
  inviteTtlSeconds: number;
  logger: Logger;
}

/** Who is calling, as far as the transport can tell; stored in the session's `device_info`. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

/** The answer of login (and, with more fields, register and google): docs/api/user.md. */
export interface SignInResponse {
  ok: true;
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
  user: EnvelopeUser;
}

/** Any uuid spelling Postgres accepts in canonical form; token claims are checked with it before a query. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);
