import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../dev/lock.ts';

/** The file a running `mobius dev` keeps in its data directory (0600: it holds database URLs with passwords). */
export const RUNTIME_FILE = 'runtime.json';

/** The format of RUNTIME_FILE; a reader refuses other versions (an older or newer dev wrote it). */
export const RUNTIME_FORMAT = 1;

/**
 * What a running `mobius dev` tells the CLI: where it listens, which databases, bus and index it
 * uses, and where its secrets are. `env` holds the variables the CLI would otherwise need, under the
 * names the services read them (DATABASE_URL, CHAT_DATABASE_URL, NATS_URL, TOPIC_PREFIX, RAG_URL, ...);
 * the JWT secret is not in it, only its file in `secrets`.
 */
export interface DevRuntime {
  format: typeof RUNTIME_FORMAT;
  /** The process of `mobius dev`; gone means the file is stale (the dev was killed). */
  pid: number;
  /** ISO 8601 time it got ready. */
  startedAt: string;
  /** Absolute path of its data directory. */
  dataDir: string;
  /** Service name -> `http://host:port` (rag, chat, user, the consumers, reconciler, console when present). */
  urls: Record<string, string>;
  /** Module -> the Postgres URL dev uses (embedded or configured), passwords included. */
  databases: Record<string, string>;
  /** The variables the CLI takes from this dev when the environment does not set them. */
  env: Record<string, string>;
  /** Secret files: `jwtSecret` (the JWT_SECRET dev signs with), `postgresPassword` (embedded Postgres). */
  secrets: { jwtSecret?: string; postgresPassword?: string };
}

/** What is found in a data directory: a live dev, a file left by a dead one, or nothing. */
export type DevRuntimeState =
  | { state: 'running'; runtime: DevRuntime; path: string }
  | { state: 'stale'; pid: number; path: string }
  | { state: 'absent'; path: string };

/** Writes the runtime file atomically (a temporary file renamed over it): a reader never sees half of it. */
export async function writeDevRuntime(dataDir: string, runtime: DevRuntime): Promise<() => Promise<void>> {
  const path = join(dataDir, RUNTIME_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
  return () => rm(path, { force: true });
}

/**
 * Reads the runtime file of `dataDir`. `stale` when its pid is no longer alive (a dev killed with
 * SIGKILL leaves it behind), or when it cannot be parsed; `absent` when there is none.
 */
export async function readDevRuntime(dataDir: string): Promise<DevRuntimeState> {
  const path = join(dataDir, RUNTIME_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent', path };
    throw error;
  }
  let runtime: DevRuntime;
  try {
    runtime = JSON.parse(text) as DevRuntime;
  } catch {
    return { state: 'stale', pid: 0, path };
  }
  if (runtime.format !== RUNTIME_FORMAT || !Number.isInteger(runtime.pid)) return { state: 'stale', pid: Number(runtime.pid) || 0, path };
  if (runtime.pid !== process.pid && !processAlive(runtime.pid)) return { state: 'stale', pid: runtime.pid, path };
  return { state: 'running', runtime, path };
}
