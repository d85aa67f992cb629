import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is libs/cli/src/dev/defaults.ts. Samples and the default data directory live there. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The services `mobius dev` runs in its one process, in pipeline order (they start and stop in this order). */
export const DEV_SERVICES = ['rag', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync', 'chat', 'user', 'reconciler', 'console'] as const;
export type DevServiceName = (typeof DEV_SERVICES)[number];

/** Each service listens on the port base plus its offset: the ports `mobius start <service>` uses by default. */
export const DEV_PORT_OFFSETS: Record<DevServiceName, number> = {
  rag: 1,
  chat: 2,
  user: 3,
  ingestor: 11,
  'mart-builder': 12,
  'chat-sync': 13,
  'vertex-sync': 14,
  reconciler: 16,
  console: 20,
};

/** Every default of `mobius dev` and of `mobius search`'s dev fallbacks, in one place. */
export const DEV_DEFAULTS = {
  /** Where dev keeps its state when neither --data-dir nor MOBIUS_DATA_DIR says (ignored by git). */
  dataDir: join(REPO_ROOT, '.mobius'),
  /** Ports are base + offset (rag 8001, chat 8002, user 8003, ingestor 8011 ... vertex-sync 8014, reconciler 8016, console 8020). Base 0: any free port. */
  portBase: 8000,
  /** The embedded Postgres port; when this default is taken, a free port is used instead. */
  postgresPort: 54329,
  /** Services log warnings and errors only (LOG_LEVEL overrides it), so the terminal shows what dev prints. */
  logLevel: 'warn',
  /** Loopback only (HOST overrides it); fastify listens on every address `localhost` resolves to. */
  host: 'localhost',
  /** The sample corpus loaded on first run, with its manifest of metadata. */
  samplesDir: join(REPO_ROOT, 'samples', 'policies'),
  /** How long to wait for the samples to reach Chat and the vector index before warning and going on. */
  samplesSearchableTimeoutMs: 30_000,
  /** Poll interval of that wait. */
  samplesPollMs: 50,
  /** After SIGINT/SIGTERM everything must be down within this, else exit 1 (Cloud Run's 10 s, with margin). */
  shutdownDeadlineMs: 9_500,
  /** Where `mobius search` finds chat when neither --chat-url nor CHAT_URL says: chat's default port. */
  chatUrl: 'http://localhost:8002',
} as const;

/** The files dev keeps in its data directory. */
export const DATA_FILES = {
  /** The Postgres cluster (owned by the OS user Postgres runs as). */
  postgres: 'postgres',
  /** The embedded server's log of its last start. */
  postgresLog: 'postgres.log',
  /** The generated password of the embedded server's `postgres` role (0600). */
  postgresPassword: 'postgres-password',
  /** The generated JWT_SECRET of dev (0600), read by `mobius search` and for `mobius token`. */
  jwtSecret: 'jwt-secret',
  /** The pid of the `mobius dev` using this directory: one at a time. */
  lock: 'dev.pid',
} as const;

/** The data directory: --data-dir, else MOBIUS_DATA_DIR, else `<repo>/.mobius`. */
export function dataDirOf(flag: string | undefined, env: Record<string, string | undefined>): string {
  return flag || env.MOBIUS_DATA_DIR || DEV_DEFAULTS.dataDir;
}
