import { CommandExit } from '../command-exit.ts';
import { shownPath } from '../dev/report.ts';
import type { CliIO } from '../io.ts';
import { busItem, indexItem, readDevRuntime, resolveCliEnv, type DevRuntime } from '../runtime/index.ts';
import { maskUrl } from '@mobius/config';

export interface DevStatusOptions {
  /** The data directory (default MOBIUS_DATA_DIR, else `<repo>/.mobius`). */
  dataDir?: string;
}

/** Services printed first, with what to do there; the others follow as their readiness URL. */
const FRONT_SERVICES: [string, string, string][] = [
  ['rag', 'rag API', ''],
  ['chat', 'chat search', '/v1/search'],
  ['user', 'user API', '/api/v1/auth'],
  ['console', 'console', '/'],
];

/** A URL's Postgres parts for psql: the URL without its password. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/**
 * The psql command for a database: with the embedded Postgres, the password read from its file
 * (`PGPASSWORD="$(cat .mobius/postgres-password)" psql "postgresql://postgres@127.0.0.1:54329/mobius_rag"`),
 * so it never shows on the screen; a database the environment named, through that variable.
 */
function psqlLine(runtime: DevRuntime, module: string, url: string): string {
  const passwordFile = runtime.secrets.postgresPassword;
  const embedded = passwordFile && new URL(url).hostname === '127.0.0.1';
  if (embedded) return `PGPASSWORD="$(cat ${shownPath(passwordFile)})" psql "${withoutPassword(url)}"`;
  return `psql "${maskUrl(url)}"  (the password is in the variable that named the ${module} database)`;
}

function urlLines(runtime: DevRuntime): string[] {
  const lines: string[] = [];
  const shown = new Set<string>();
  for (const [service, label, path] of FRONT_SERVICES) {
    if (!runtime.urls[service]) continue;
    shown.add(service);
    lines.push(`  ${label.padEnd(13)} ${runtime.urls[service]}${path}`);
  }
  const others = Object.entries(runtime.urls).filter(([service]) => !shown.has(service));
  const width = Math.max(0, ...others.map(([service]) => service.length));
  if (others.length > 0) lines.push('  status        GET /readyz (and /metrics) of each service:');
  for (const [service, url] of others) lines.push(`    ${service.padEnd(width)}  ${url}/readyz`);
  return lines;
}

function databaseLines(runtime: DevRuntime): string[] {
  const width = Math.max(...Object.keys(runtime.databases).map((m) => m.length));
  const lines = Object.entries(runtime.databases).map(([module, url]) => `  ${module.padEnd(width)}  ${maskUrl(url)}`);
  const rag = runtime.databases.rag;
  if (rag) lines.push(`  psql: ${psqlLine(runtime, 'rag', rag)}`);
  return lines;
}

/**
 * `mobius dev status`: what the running `mobius dev` of the data directory uses, from its
 * runtime.json: every URL, every database's connection string (password masked) with a psql
 * command for rag's, the bus, the index and the secret files. Exit 1 when no dev runs there (and
 * says whether one was killed, leaving a stale file).
 */
export async function devStatusCommand(options: DevStatusOptions, io: CliIO): Promise<void> {
  const resolved = await resolveCliEnv(io, options);
  const found = await readDevRuntime(resolved.dataDir);
  const where = shownPath(resolved.dataDir);
  if (found.state === 'stale')
    throw new CommandExit(
      1,
      `no mobius dev is running in ${where}: ${shownPath(found.path)} is stale (pid ${found.pid} is gone); mobius dev starts one`,
    );
  if (found.state === 'absent') throw new CommandExit(1, `no mobius dev is running in ${where}; mobius dev starts one`);
  const { runtime } = found;
  const devEnv = { ...runtime.env };
  const secrets = [
    runtime.secrets.jwtSecret ? `JWT secret ${shownPath(runtime.secrets.jwtSecret)}` : 'JWT secret from JWT_SECRET of its environment',
    ...(runtime.secrets.postgresPassword ? [`Postgres password ${shownPath(runtime.secrets.postgresPassword)}`] : []),
  ];
  const lines = [
    `mobius dev: pid ${runtime.pid}, ready since ${runtime.startedAt}, data in ${where}`,
    ...urlLines(runtime),
    'databases',
    ...databaseLines(runtime),
    `${busItem(devEnv).label}           ${busItem(devEnv).value}`,
    `vector index  ${indexItem(devEnv).value}`,
    `secrets       ${secrets.join('; ')}`,
    `the CLI (mobius status, dlq, replay, resync, token, migrate, publish, search) uses these when no variable says otherwise`,
  ];
  for (const line of lines) io.out(line);
}
