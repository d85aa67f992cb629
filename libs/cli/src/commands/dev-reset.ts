import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandExit } from '../command-exit.ts';
import { DATA_FILES } from '../dev/defaults.ts';
import { DevError } from '../dev/errors.ts';
import { processAlive } from '../dev/lock.ts';
import { reachableDataDirOf } from '../dev/reachable-data-dir.ts';
import { shownPath } from '../dev/report.ts';
import type { CliIO } from '../io.ts';
import { RUNTIME_FILE, readDevRuntime, resolveCliEnv } from '../runtime/index.ts';

export interface DevResetOptions {
  /** The data directory (default MOBIUS_DATA_DIR, else `<repo>/.mobius`). */
  dataDir?: string;
  /** Skip the confirmation. */
  yes?: boolean;
}

/** The entries that make a directory a `mobius dev` data directory: reset refuses a directory with none of them. */
const DEV_ENTRIES: string[] = [...Object.values(DATA_FILES), RUNTIME_FILE];

/** The pid of a live `mobius dev` using `dataDir` (its lock or its runtime file), if any. */
async function runningDev(dataDir: string): Promise<number | undefined> {
  const runtime = await readDevRuntime(dataDir);
  if (runtime.state === 'running') return runtime.runtime.pid;
  const holder = Number.parseInt(await readFile(join(dataDir, DATA_FILES.lock), 'utf8').catch(() => ''), 10);
  return Number.isInteger(holder) && holder !== process.pid && processAlive(holder) ? holder : undefined;
}

/**
 * `mobius dev reset [--yes]`: deletes the data directory of `mobius dev` (its embedded Postgres with
 * every module database, its secrets, its runtime file), so the next `mobius dev` starts fresh.
 * Refuses (DEV_RUNNING) while a dev uses it, and (DEV_DATA_DIR) a directory that holds none of dev's
 * files. Asks for confirmation on the terminal unless --yes; without a terminal it needs --yes.
 */
export async function devResetCommand(options: DevResetOptions, io: CliIO): Promise<void> {
  const { dataDir } = await resolveCliEnv(io, options);
  const where = shownPath(dataDir);
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (entries === undefined) return io.out(`mobius dev reset: ${where} does not exist; nothing to delete`);
  if (entries.length > 0 && !entries.some((entry) => DEV_ENTRIES.includes(entry))) {
    throw new DevError('DEV_DATA_DIR', `${where} holds none of mobius dev's files (${DEV_ENTRIES.join(', ')}); not deleting it`);
  }
  const pid = await runningDev(dataDir);
  if (pid !== undefined) throw new DevError('DEV_RUNNING', `a mobius dev (pid ${pid}) is using ${where}; stop it first (Ctrl-C), then reset`);
  if (!options.yes) {
    if (!io.ask)
      throw new CommandExit(1, `mobius dev reset deletes ${where} (every local database and secret): stdin is not a terminal, so add --yes`);
    const answer = await io.ask(`Delete ${where} with every local database and secret of mobius dev? Type yes to confirm: `);
    if (!/^y(es)?$/i.test(answer)) throw new CommandExit(1, `not confirmed; ${where} is kept`);
  }
  await rm(dataDir, { recursive: true, force: true });
  // The cluster a root dev put outside the data directory (dev/reachable-data-dir.ts), if any.
  await rm(reachableDataDirOf(dataDir), { recursive: true, force: true });
  io.out(`mobius dev reset: deleted ${where}; the next mobius dev creates new databases and secrets`);
}
