/** Connection parts as apps configure them with separate variables. */
export interface PostgresParts {
  /** A hostname, or an absolute directory holding the server's Unix socket (`/cloudsql/<name>`). */
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/**
 * Builds a postgres URL from parts, URL-encoding user and password (a password with `@`, `/` or `#`
 * broke the old os code). A socket directory goes in the `host` query parameter, as libpq and
 * node-postgres read it; the port then names the socket file `.s.PGSQL.<port>`.
 */
export function buildPostgresUrl(parts: PostgresParts): string {
  const auth = encodeURIComponent(parts.user) + (parts.password ? `:${encodeURIComponent(parts.password)}` : '');
  const database = encodeURIComponent(parts.database);
  if (parts.host.startsWith('/')) {
    return `postgresql://${auth}@/${database}?host=${encodeURIComponent(parts.host)}&port=${parts.port}`;
  }
  return `postgresql://${auth}@${parts.host}:${parts.port}/${database}`;
}
