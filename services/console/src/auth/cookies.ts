/** The session cookie of the console: the access token itself, where page loads can carry it. */

/** `name=value` pairs of a Cookie header; later duplicates do not override the first (RFC 6265 order). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name in cookies) continue;
    try {
      cookies[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A value that is not valid percent-encoding is no token of ours: ignore it.
    }
  }
  return cookies;
}

/**
 * The Set-Cookie value that carries `token` until it expires: HttpOnly (no script reads it),
 * SameSite=Strict (no other site's page sends it), Path=/; Secure when the request came over HTTPS
 * (directly or through Cloud Run's or an ingress' TLS, `X-Forwarded-Proto`).
 */
export function sessionCookie(name: string, token: string, expiresAt: Date, now: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000));
  return `${name}=${encodeURIComponent(token)}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedCookie(name: string): string {
  return `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`;
}
