import type { TokenService } from '@mobius/auth';
import type { UserProfile, UserRepository } from '../repository/types.ts';

/** What the auth operations need: the store and the one token minter/validator of `@mobius/auth`. */
export interface AuthDeps {
  repository: UserRepository;
  tokens: TokenService;
  /** The access token lifetime in seconds (`expires_in`), the same the token service mints with. */
  accessTokenSeconds: number;
}

/** Who is calling, as far as the transport can tell; stored as the session's `device_info`. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

/** The answer of login and register (CONTRACTS.md section 5). */
export interface SignInResponse {
  ok: true;
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
  user: UserProfile;
}

/** Any uuid spelling Postgres accepts in canonical form; token claims are checked with it before a query. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);
