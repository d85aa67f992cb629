import { execFile } from 'node:child_process';
import { chmod, chown, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { DevError } from './errors.ts';

const run = promisify(execFile);

/** An unprivileged OS account the embedded Postgres runs as when `mobius dev` runs as root. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * Accounts tried, in order, when running as root and MOBIUS_DEV_PG_OS_USER is unset: `postgres`
 * (where a Postgres package is installed) and `nobody` (on every Linux). None is ever created: the
 * host's accounts are left as they are.
 */
const CANDIDATE_USERS = ['postgres', 'nobody'] as const;

/** True when this process is root, which Postgres refuses to run as (initdb and postgres exit at once). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

async function lookupUser(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * Who runs the embedded Postgres when this process is root (undefined otherwise: it runs as us).
 * An existing cluster runs as its owner. A new one runs as MOBIUS_DEV_PG_OS_USER when set, else the
 * first of `postgres`, `nobody` that exists.
 */
export async function postgresOsUser(clusterDir: string, clusterExists: boolean, requested: string | undefined): Promise<OsUser | undefined> {
  if (!runningAsRoot()) return undefined;
  if (clusterExists) {
    const owner = await stat(clusterDir);
    if (owner.uid === 0) {
      throw new DevError(
        'DEV_POSTGRES',
        `${clusterDir} is owned by root, and Postgres cannot run as root: chown -R postgres ${clusterDir}, or delete it`,
      );
    }
    const name = await run('id', ['-nu', String(owner.uid)]).then(
      (found) => found.stdout.trim(),
      () => `uid ${owner.uid}`,
    );
    return { name, uid: owner.uid, gid: owner.gid };
  }
  for (const name of requested ? [requested] : CANDIDATE_USERS) {
    const user = await lookupUser(name);
    if (user && user.uid !== 0) return user;
  }
  const tried = requested ? `MOBIUS_DEV_PG_OS_USER=${requested}` : CANDIDATE_USERS.join(' or ');
  throw new DevError(
    'DEV_POSTGRES',
    `running as root, and no unprivileged account (${tried}) exists for Postgres to run as; create one or run as another user`,
  );
}

/** Whether `user` may traverse a directory with these owner, group and mode bits. */
function canSearch(info: { uid: number; gid: number; mode: number }, user: OsUser): boolean {
  if (info.uid === user.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === user.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/** The first directory from `dir` up to `/` that `user` cannot traverse, or undefined when it can reach `dir`. */
export async function firstBlockedDirectory(user: OsUser, dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    if (!canSearch(await stat(current), user)) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * Makes `dataDir` traversable by `user` (adding only the search bit for group and others: the files
 * in it keep their 0600), then checks that every directory above it is traversable too. Throws
 * DEV_POSTGRES naming the first directory that is not. (The binaries are made reachable apart:
 * reachable-binaries.ts.)
 */
export async function prepareForUser(user: OsUser, dataDir: string): Promise<void> {
  const info = await stat(dataDir);
  if (!canSearch(info, user)) await chmod(dataDir, (info.mode & 0o7777) | 0o011);
  const blocked = await firstBlockedDirectory(user, dirname(dataDir));
  if (blocked) {
    throw new DevError(
      'DEV_POSTGRES',
      `Postgres runs as ${user.name} (it refuses root), which cannot enter ${blocked}: chmod o+x ${blocked}, or use --data-dir elsewhere`,
    );
  }
}

/** Hands `path` to `user` (the new cluster directory and its password file). */
export async function giveTo(user: OsUser, path: string): Promise<void> {
  await chown(path, user.uid, user.gid);
}
