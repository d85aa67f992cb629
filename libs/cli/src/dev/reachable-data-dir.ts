import { createHash } from 'node:crypto';
import { chmod, chown, copyFile, lstat, mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DATA_FILES } from './defaults.ts';
import { DevError } from './errors.ts';
import { firstBlockedDirectory, postgresOsUser, prepareForUser, type OsUser } from './postgres-user.ts';

/**
 * Where the cluster goes when the data directory is out of the server account's reach: a directory per
 * data directory under /var/tmp (kept across reboots, unlike /tmp), reachable by every account.
 */
export const REACHABLE_DATA_ROOT = '/var/tmp';

/** The cluster directory and the server account of one start of the embedded Postgres. */
export interface ClusterPlace {
  /** The cluster (`<dataDir>/postgres`, or `<REACHABLE_DATA_ROOT>/mobius-<hash>/postgres`). */
  clusterDir: string;
  /** False when this start makes a new cluster (initdb), true when an earlier run's is kept. */
  exists: boolean;
  /** Root only: the account Postgres runs as. */
  user: OsUser | undefined;
  /** Why the cluster is not in the data directory (root only, the data directory out of the account's reach). */
  relocatedBecause?: string;
  /** A password file the account can read, for initdb (the data directory's own, or a copy beside the cluster). */
  passwordFileFor(passwordFile: string): Promise<{ path: string; remove(): Promise<void> }>;
}

/** `/var/tmp/mobius-<hash of the data directory's absolute path>`: the same directory every start of this data directory. */
export function reachableDataDirOf(dataDir: string): string {
  const key = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  return join(REACHABLE_DATA_ROOT, `mobius-${key}`);
}

async function hasCluster(clusterDir: string): Promise<boolean> {
  return stat(join(clusterDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

/**
 * Makes `dir` (under the world-writable /var/tmp) a directory of `user`'s, 0700. What is already there
 * must be a real directory (no symbolic link) owned by root or by `user`: anyone can create names in
 * /var/tmp, and a directory another account made is not trusted with the cluster.
 */
async function ownDirectory(dir: string, user: OsUser): Promise<void> {
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const info = await lstat(dir);
  if (!info.isDirectory() || (info.uid !== 0 && info.uid !== user.uid)) {
    throw new DevError('DEV_POSTGRES', `${dir} exists and is not a directory of root's or ${user.name}'s; delete it, or use --data-dir elsewhere`);
  }
  await chown(dir, user.uid, user.gid);
  await chmod(dir, 0o700);
}

/**
 * Where the cluster of `dataDir` lives and who runs it. Not root: `<dataDir>/postgres`, run as us. As
 * root (Postgres refuses root, so it runs as an unprivileged account: postgresOsUser), the cluster stays
 * in `<dataDir>/postgres` when that account can reach it; when a directory above the data directory is
 * closed to that account (a checkout under a root-only 0700 folder), a new cluster goes to
 * `/var/tmp/mobius-<hash>/postgres` instead, owned by that account, so `npm start` works without a chmod.
 * An existing cluster is used where it is, in either place, as its owner.
 */
export async function placeCluster(dataDir: string, requestedUser: string | undefined): Promise<ClusterPlace> {
  const inDataDir = join(dataDir, DATA_FILES.postgres);
  const reachableRoot = reachableDataDirOf(dataDir);
  const relocated = join(reachableRoot, DATA_FILES.postgres);
  const plain = (clusterDir: string, exists: boolean, user: OsUser | undefined): ClusterPlace => ({
    clusterDir,
    exists,
    user,
    passwordFileFor: async (passwordFile) => ({ path: passwordFile, remove: async () => undefined }),
  });

  if (await hasCluster(inDataDir)) {
    const user = await postgresOsUser(inDataDir, true, requestedUser);
    if (user) await prepareForUser(user, dataDir);
    return plain(inDataDir, true, user);
  }
  const user = await postgresOsUser(inDataDir, false, requestedUser);
  if (!user) return plain(inDataDir, false, undefined);

  const blocked = await firstBlockedDirectory(user, resolve(dataDir, '..'));
  if (!blocked) {
    await prepareForUser(user, dataDir);
    return plain(inDataDir, false, user);
  }
  const exists = await hasCluster(relocated);
  const owner = exists ? await postgresOsUser(relocated, true, requestedUser) : user;
  if (!owner) return plain(inDataDir, false, undefined); // unreachable: root has an owner
  await ownDirectory(reachableRoot, owner);
  return {
    clusterDir: relocated,
    exists,
    user: owner,
    relocatedBecause: `Postgres runs as ${owner.name}, which cannot enter ${blocked}`,
    // initdb reads the password as the server account, which cannot reach the data directory's file.
    passwordFileFor: async (passwordFile) => {
      const copy = join(reachableRoot, DATA_FILES.postgresPassword);
      await copyFile(passwordFile, copy);
      await chown(copy, owner.uid, owner.gid);
      await chmod(copy, 0o600);
      return { path: copy, remove: () => rm(copy, { force: true }) };
    },
  };
}
