import { z } from 'zod';
import { LOCAL_POSTGRES, deployEnvSchema, optional, port } from '../fields.ts';
import { parseEnv, requiredInProd, type Env } from '../parse-env.ts';
import { buildPostgresUrl } from '../postgres-url.ts';
import type { DatabaseConfig, LoadOptions } from './database-config.ts';

/** The os backend's variables, each on its own (osEnvSchema adds the combinations). */
const osEnvFields = z.object({
  ENV: optional(deployEnvSchema),
  /** `cloud` selects the _CLOUD variables (or the Cloud SQL socket); anything else means local. */
  DATABASE_MODE: optional(z.string()),
  POSTGRES_HOST_LOCAL: optional(z.string()),
  POSTGRES_PORT_LOCAL: optional(port),
  POSTGRES_DB_LOCAL: optional(z.string()),
  POSTGRES_USER_LOCAL: optional(z.string()),
  POSTGRES_PASSWORD_LOCAL: optional(z.string()),
  POSTGRES_HOST_CLOUD: optional(z.string()),
  POSTGRES_PORT_CLOUD: optional(port),
  POSTGRES_DB_CLOUD: optional(z.string()),
  POSTGRES_USER_CLOUD: optional(z.string()),
  POSTGRES_PASSWORD_CLOUD: optional(z.string()),
  /** `project:region:instance`: in cloud mode, connect over the Unix socket `/cloudsql/<name>`. */
  CLOUDSQL_CONNECTION_NAME: optional(z.string()),
  /** Addition: where Cloud SQL sockets live (default `/cloudsql`, as Cloud Run mounts them). */
  CLOUDSQL_SOCKET_DIR: optional(z.string().startsWith('/', 'must be an absolute directory')).default('/cloudsql'),
  /** `true` turns on best-effort projections to Firestore; Postgres stays the system of record. */
  ENABLE_FIRESTORE: optional(z.string()),
});

type OsEnv = z.infer<typeof osEnvFields>;

/**
 * DATABASE_MODE=cloud needs POSTGRES_HOST_CLOUD (unless CLOUDSQL_CONNECTION_NAME names the socket),
 * POSTGRES_DB_CLOUD and POSTGRES_USER_CLOUD; the issue names the first missing one.
 */
function checkOsEnv(env: OsEnv, ctx: z.RefinementCtx): void {
  if (env.DATABASE_MODE?.toLowerCase() !== 'cloud') return;
  const why = 'when DATABASE_MODE=cloud';
  const required: [keyof OsEnv, string][] = [
    ['POSTGRES_DB_CLOUD', why],
    ['POSTGRES_USER_CLOUD', why],
  ];
  if (!env.CLOUDSQL_CONNECTION_NAME) required.unshift(['POSTGRES_HOST_CLOUD', `${why} without CLOUDSQL_CONNECTION_NAME`]);
  const missing = required.find(([variable]) => !env[variable]);
  if (missing) ctx.addIssue({ code: 'custom', path: [missing[0]], message: `is required ${missing[1]}` });
}

/** The os backend's environment: separate connection parts per mode, as the os app reads them, combinations checked. */
export const osEnvSchema = osEnvFields.superRefine(checkOsEnv);

export const OS_DEFAULT_DATABASE = 'mobius';

export interface OsDatabaseConfig extends DatabaseConfig {
  mode: 'local' | 'cloud';
  /** The socket directory when connecting over Cloud SQL's Unix socket. */
  socketDir: string | undefined;
  enableFirestore: boolean;
}

function localParts(env: OsEnv, deployEnv: 'dev' | 'prod') {
  if (deployEnv === 'prod') {
    if (!env.POSTGRES_HOST_LOCAL) requiredInProd('os', 'POSTGRES_HOST_LOCAL');
    if (!env.POSTGRES_DB_LOCAL) requiredInProd('os', 'POSTGRES_DB_LOCAL');
  }
  return {
    host: env.POSTGRES_HOST_LOCAL ?? LOCAL_POSTGRES.host,
    port: env.POSTGRES_PORT_LOCAL ?? LOCAL_POSTGRES.port,
    database: env.POSTGRES_DB_LOCAL ?? OS_DEFAULT_DATABASE,
    user: env.POSTGRES_USER_LOCAL ?? LOCAL_POSTGRES.user,
    password: env.POSTGRES_PASSWORD_LOCAL ?? '',
  };
}

/** The cloud connection's parts; checkOsEnv made sure they are there. */
function cloudParts(env: OsEnv, socketDir: string | undefined) {
  return {
    host: socketDir ?? env.POSTGRES_HOST_CLOUD!,
    // Cloud SQL's socket is always `.s.PGSQL.5432`: the port, like the host, is ignored there.
    port: socketDir ? 5432 : (env.POSTGRES_PORT_CLOUD ?? 5432),
    database: env.POSTGRES_DB_CLOUD!,
    user: env.POSTGRES_USER_CLOUD!,
    password: env.POSTGRES_PASSWORD_CLOUD ?? '',
  };
}

/**
 * Resolves the os database the way the os app does: DATABASE_MODE=cloud uses the Cloud SQL socket
 * `/cloudsql/<CLOUDSQL_CONNECTION_NAME>` when that is set (host and port ignored) and the _CLOUD
 * variables over TCP otherwise; any other mode uses the _LOCAL variables with local defaults.
 */
export function loadOsDatabaseConfig(env: Env, options: LoadOptions = {}): OsDatabaseConfig {
  const parsed = parseEnv('os', osEnvSchema, env);
  const deployEnv = options.deployEnv ?? parsed.ENV ?? 'dev';
  const enableFirestore = parsed.ENABLE_FIRESTORE?.toLowerCase() === 'true';
  if (parsed.DATABASE_MODE?.toLowerCase() !== 'cloud') {
    const explicit = parsed.POSTGRES_HOST_LOCAL !== undefined || parsed.POSTGRES_DB_LOCAL !== undefined;
    const databaseUrl = buildPostgresUrl(localParts(parsed, deployEnv));
    const source = explicit ? 'POSTGRES_*_LOCAL' : 'dev default';
    return { module: 'os', databaseUrl, source, deployEnv, mode: 'local', socketDir: undefined, enableFirestore };
  }
  const name = parsed.CLOUDSQL_CONNECTION_NAME;
  const socketDir = name ? `${parsed.CLOUDSQL_SOCKET_DIR.replace(/\/+$/, '')}/${name}` : undefined;
  const databaseUrl = buildPostgresUrl(cloudParts(parsed, socketDir));
  const source = name ? 'CLOUDSQL_CONNECTION_NAME' : 'POSTGRES_*_CLOUD';
  return { module: 'os', databaseUrl, source, deployEnv, mode: 'cloud', socketDir, enableFirestore };
}
