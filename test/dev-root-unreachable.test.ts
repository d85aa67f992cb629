// `mobius dev` as root (as CI runs it) with its data directory under a folder only root may enter (0700),
// as when the checkout sits there and `npm start` uses `<repo>/.mobius`: Postgres refuses root, so it runs
// as an unprivileged account that cannot reach that folder. dev must still start, without a chmod of
// anything above the data directory: the cluster goes to /var/tmp/mobius-<hash>, owned by that account,
// with the reason printed once; the next start keeps it; `mobius dev reset` deletes it with the data
// directory (libs/cli/src/dev/reachable-data-dir.ts). Not as root, nothing moves: the cluster is in the data directory.
import { lstat, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reachableDataDirOf } from '../libs/cli/src/dev/reachable-data-dir.ts';
import { spawnNode, stopProcess, waitForLine, type RunningProcess } from './support/processes.ts';

const STARTUP_TIMEOUT_MS = 45_000;
const MINIMAL_ENV = { PATH: process.env.PATH ?? '' };
const asRoot = process.getuid?.() === 0;

let closed: string;
let dataDir: string;
let running: RunningProcess | undefined;

/** Starts `mobius dev` on the test's data directory and free ports; resolves once the ready block is printed. */
async function startDev(): Promise<RunningProcess> {
  if (running) await stopProcess(running); // a failed test's dev holds the data directory's lock
  running = spawnNode(['bin/mobius.js', 'dev', '--data-dir', dataDir, '--port-base', '0', '--pg-port', '0'], { env: MINIMAL_ENV });
  await waitForLine(running, /^ {2}try /, STARTUP_TIMEOUT_MS);
  return running;
}

beforeAll(async () => {
  // The folder root made for itself (mkdtemp: 0700), with the checkout, and so `.mobius`, inside it.
  closed = await mkdtemp(join(tmpdir(), 'mobius-closed-'));
  await mkdir(join(closed, 'checkout'), { mode: 0o755 });
  dataDir = join(closed, 'checkout', '.mobius');
});

afterAll(async () => {
  if (running) await stopProcess(running);
  await rm(closed, { recursive: true, force: true });
  await rm(reachableDataDirOf(dataDir), { recursive: true, force: true });
});

describe("mobius dev with its data directory out of the Postgres account's reach", () => {
  it('starts: the cluster goes where that account can reach it, saying why once, and nothing above the data directory is opened', async () => {
    const dev = await startDev();
    const output = dev.lines.join('\n');
    const relocated = join(reachableDataDirOf(dataDir), 'postgres');
    if (asRoot) {
      const [postgresLine] = dev.lines.filter((line) => line.startsWith('mobius dev: embedded Postgres'));
      expect(postgresLine).toMatch(
        /^mobius dev: embedded Postgres 15\.\d+ on 127\.0\.0\.1:\d+, data in \/var\/tmp\/mobius-[0-9a-f]{16}\/postgres \(created; runs as OS user (\w+) \(Postgres refuses root\)\)/,
      );
      expect(postgresLine).toContain(`data in ${relocated} (created;`);
      const reasons = dev.lines.filter((line) => line.includes('the cluster is in'));
      expect(reasons).toEqual([
        expect.stringMatching(
          new RegExp(
            `^mobius dev: the cluster is in ${relocated}, not in ${dataDir}: Postgres runs as \\w+, which cannot enter ${closed} \\(\`mobius dev reset\` deletes both\\)$`,
          ),
        ),
      ]);
      // Nothing was opened up: the closed folder is still root's alone.
      expect(((await stat(closed)).mode & 0o777).toString(8)).toBe('700');
      const place = await lstat(reachableDataDirOf(dataDir));
      expect(place.isDirectory()).toBe(true);
      expect(place.uid).not.toBe(0);
      expect((place.mode & 0o777).toString(8)).toBe('700');
    } else {
      expect(output).toContain(`data in ${join(dataDir, 'postgres')} (created)`);
      expect(output).not.toContain('the cluster is in');
    }
    // A quiet start: dev's own lines and the ready block, no service log line (no start-up line, no probe;
    // AUTH=none is said once by dev for every open API, not as a warning per service).
    const serviceLines = dev.lines.filter((line) => !line.startsWith('mobius dev: ') && !line.startsWith('  '));
    expect(serviceLines).toEqual([]);
    expect(dev.lines.filter((line) => line.includes('AUTH=none'))).toEqual([
      "mobius dev: AUTH=none: rag, vertex-sync, console admit anyone on this machine (dev's default; AUTH=required and CONSOLE_AUTH=jwt guard them, docs/security.md)",
    ]);
    expect(dev.errors).toEqual([]);
    expect(await stopProcess(dev)).toMatchObject({ code: 0 });
  });

  it('keeps that cluster on the next start, and `mobius dev reset` deletes it with the data directory', async () => {
    const dev = await startDev();
    const clusterDir = asRoot ? join(reachableDataDirOf(dataDir), 'postgres') : join(dataDir, 'postgres');
    expect(dev.lines.join('\n')).toContain(`data in ${clusterDir} (kept from an earlier run`);
    expect(dev.lines.filter((line) => line.includes('the cluster is in'))).toHaveLength(asRoot ? 1 : 0);
    expect(await stopProcess(dev)).toMatchObject({ code: 0 });

    const reset = spawnNode(['bin/mobius.js', 'dev', 'reset', '--yes', '--data-dir', dataDir], { env: MINIMAL_ENV });
    expect(await reset.exited, [...reset.lines, ...reset.errors].join('\n')).toBe(0);
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(reachableDataDirOf(dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
