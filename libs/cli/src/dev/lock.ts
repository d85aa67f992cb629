import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_FILES } from './defaults.ts';
import { DevError } from './errors.ts';

/** A zombie (killed, not yet reaped by its parent) still answers signal 0; Linux's /proc tells. */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether a live process with this pid exists (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** Held while this process uses a data directory; `release` removes the pid file. */
export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Takes the data directory for this process: writes its pid to `dev.pid`. Throws DEV_DATA_DIR when
 * another live `mobius dev` holds it; a pid file left by a process that died (SIGKILL) is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, DATA_FILES.lock);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
      throw new DevError('DEV_DATA_DIR', `${dataDir} is in use by another mobius dev (pid ${holder}); stop it first, or use --data-dir`);
    }
    await rm(path, { force: true });
  }
  throw new DevError('DEV_DATA_DIR', `cannot take ${path}: another process keeps creating it`);
}
