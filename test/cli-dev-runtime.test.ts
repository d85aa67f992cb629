// The CLI finds a running `mobius dev` (libs/cli/src/runtime): dev writes <data dir>/runtime.json once
// everything listens, and token, publish, search, migrate --status, resync and documents use its URLs,
// databases and secret with no variable set, each naming on stderr what it acts on. `mobius dev status`
// reprints it all (a psql line included); `mobius dev reset` refuses while dev runs or without a
// confirmation, and wipes the data directory with --yes; a runtime file whose pid is gone is stale.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenService } from '@mobius/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius } from './support/cli.ts';
import { spawnNode, stopProcess, waitForLine, type RunningProcess } from './support/processes.ts';

const STARTUP_TIMEOUT_MS = 45_000;
const SEARCHABLE_WITHIN_MS = 20_000;
/** Nothing but PATH: every URL, database and secret must come from the running dev. */
const NO_VARIABLES = { PATH: process.env.PATH ?? '' };
const PARAGRAPH = 'Durable medical equipment needs a signed order from the treating physician before delivery.';

let dataDir: string;
let files: string;
let dev: RunningProcess | undefined;

/** Starts `mobius dev` on the test's data directory and free ports, without samples; resolves when it printed its URLs. */
async function startDev(): Promise<RunningProcess> {
  const started = spawnNode(['bin/mobius.js', 'dev', '--data-dir', dataDir, '--port-base', '0', '--pg-port', '0', '--no-sample'], {
    env: NO_VARIABLES,
  });
  await waitForLine(started, /^ {2}try /, STARTUP_TIMEOUT_MS);
  return started;
}

/** The CLI in process with PATH only, pointed at the data directory by its flag. */
const cli = (...argv: string[]) => mobius([...argv, '--data-dir', dataDir], NO_VARIABLES);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cli-dev-runtime-'));
  files = await mkdtemp(join(tmpdir(), 'cli-dev-runtime-files-'));
  await writeFile(join(files, 'dme.md'), `# Durable medical equipment\n\n## Orders\n\n${PARAGRAPH}`);
  dev = await startDev();
});

afterAll(async () => {
  if (dev) await stopProcess(dev);
  await rm(dataDir, { recursive: true, force: true });
  if (files) await rm(files, { recursive: true, force: true });
});

describe('the CLI and a running mobius dev', () => {
  let pid: number;
  const fromDev = () => `; from the running mobius dev (pid ${pid}, ${dataDir})`;

  it('dev writes runtime.json (0600) with its URLs, databases, bus, index and secret paths', async () => {
    const path = join(dataDir, 'runtime.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const runtime = JSON.parse(await readFile(path, 'utf8'));
    pid = runtime.pid;
    expect(pid).toBe(dev!.child.pid);
    expect(Object.keys(runtime.urls)).toEqual(
      expect.arrayContaining(['rag', 'chat', 'user', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync', 'reconciler']),
    );
    expect(Object.keys(runtime.databases)).toEqual(['rag', 'chat', 'user', 'os', 'warehouse']);
    expect(runtime.env).toMatchObject({
      BUS: 'memory',
      TOPIC_PREFIX: '',
      VECTOR_INDEX: 'memory',
      RAG_URL: runtime.urls.rag,
      CHAT_URL: runtime.urls.chat,
    });
    expect(runtime.secrets).toEqual({ jwtSecret: join(dataDir, 'jwt-secret'), postgresPassword: join(dataDir, 'postgres-password') });
  });

  it("mobius token signs with the running dev's secret", async () => {
    const minted = await cli('token', '--user', 'u-1');
    expect(minted.code, minted.stderr).toBe(0);
    expect(minted.err).toEqual([`mobius token: JWT secret ${join(dataDir, 'jwt-secret')}${fromDev()}`]);
    const secret = (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim();
    expect(createTokenService({ secret }).verifyAccessToken(minted.out[0]!)).toMatchObject({ userId: 'u-1' });
  });

  it('mobius publish goes to its rag API and mobius search finds the document through its chat', async () => {
    const runtime = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    const published = await cli('publish', join(files, 'dme.md'), '--payer', 'Acme');
    expect(published.code, published.stderr).toBe(0);
    expect(published.err).toEqual([`mobius publish: rag API ${runtime.urls.rag}${fromDev()}`]);
    expect(published.out[0]).toMatch(/^published dme\.md: document [0-9a-f-]{36}, \d+ rows, version 1$/);

    const deadline = Date.now() + SEARCHABLE_WITHIN_MS;
    let found = await cli('search', 'signed order for durable medical equipment', '-k', '1');
    while (!found.stdout.includes(PARAGRAPH) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      found = await cli('search', 'signed order for durable medical equipment', '-k', '1');
    }
    expect(found.code, found.stderr).toBe(0);
    expect(found.err).toEqual([`mobius search: chat API ${runtime.urls.chat}${fromDev()}`]);
    expect(found.out[1]).toMatch(/^ 1\. 0\.\d{3} {2}dme\.md, page 1, paragraph \d+ - .*Orders {2}\[Acme\]$/);

    const again = await cli('publish', join(files, 'dme.md'), '--payer', 'Acme');
    expect(again.out[0]).toMatch(/, version 2 \(replaced\)$/);
    const listed = await cli('documents', 'list');
    expect(listed.out).toEqual([expect.stringMatching(/^[0-9a-f-]{36} {2}published {4}v2 {2}dme\.md$/), '1 document, 1 published']);
  });

  it('mobius migrate --status and resync --check use its databases, passwords masked', async () => {
    const status = await cli('migrate', '--status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.err).toHaveLength(1);
    expect(status.err[0]).toMatch(
      /^mobius migrate: rag postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/mobius_rag, chat \S+\/mobius_chat, user \S+, os \S+\/mobius, warehouse \S+\/mobius_warehouse; from the running mobius dev/,
    );
    expect(status.out).toContainEqual(expect.stringMatching(/^rag: applied {2}001\.do\.rag_baseline\.sql /));
    expect(status.out.filter((line) => / pending /.test(line))).toEqual([]);
    const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
    expect([...status.out, ...status.err].join('\n')).not.toContain(password);

    const check = await cli('resync', '--check', '--target', 'chat');
    expect(check.code, check.stderr).toBe(0);
    expect(check.err[0]).toMatch(
      /^mobius resync: rag \(read\) postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/mobius_rag, chat \S+, index memory .*; from the running mobius dev/,
    );
    expect(check.out[0]).toMatch(/^chat: 0 missing, 0 extra, 0 stale, 0 invalid \(RAG [1-9]\d* rows, Chat [1-9]\d*\)$/);
  });

  it('mobius dev status reprints the URLs and connection strings with a psql line; dev reset refuses while dev runs', async () => {
    const runtime = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    const status = await cli('dev', 'status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.out[0]).toMatch(new RegExp(`^mobius dev: pid ${pid}, ready since \\S+, data in ${dataDir}$`));
    expect(status.out).toContain(`  rag API       ${runtime.urls.rag}`);
    expect(status.out).toContain(`  chat search   ${runtime.urls.chat}/v1/search`);
    expect(status.out).toContainEqual(expect.stringMatching(/^ {2}chat {7}postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/mobius_chat$/));
    const psql = status.out.find((line) => line.startsWith('  psql: '));
    expect(psql).toBe(`  psql: PGPASSWORD="$(cat ${join(dataDir, 'postgres-password')})" psql "${runtime.databases.rag.replace(/:[^:@]+@/, '@')}"`);

    const reset = await cli('dev', 'reset', '--yes');
    expect(reset.code).toBe(1);
    expect(reset.stderr).toBe(`mobius: error: DEV_RUNNING: a mobius dev (pid ${pid}) is using ${dataDir}; stop it first (Ctrl-C), then reset`);
    expect((await stat(join(dataDir, 'postgres'))).isDirectory()).toBe(true);
  });

  it('after a clean stop the runtime file is gone; dev reset asks for confirmation, then wipes with --yes', async () => {
    dev!.child.kill('SIGTERM');
    expect(await dev!.exited).toBe(0);
    await expect(stat(join(dataDir, 'runtime.json'))).rejects.toThrow(/ENOENT/);
    const token = await cli('token', '--user', 'u-1');
    expect(token.code).toBe(1);
    expect(token.err[0]).toBe(`mobius token: JWT secret (none); from defaults (no mobius dev running in ${dataDir})`);

    const unconfirmed = await cli('dev', 'reset');
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toBe(
      `mobius: mobius dev reset deletes ${dataDir} (every local database and secret): stdin is not a terminal, so add --yes`,
    );
    expect((await stat(join(dataDir, 'postgres'))).isDirectory()).toBe(true);

    const reset = await cli('dev', 'reset', '--yes');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.out).toEqual([`mobius dev reset: deleted ${dataDir}; the next mobius dev creates new databases and secrets`]);
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
  });
});

describe('a stale runtime file, and --version', () => {
  it('is not used when its pid is gone, and the commands say so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-dev-stale-'));
    try {
      const gone = spawn(process.execPath, ['-e', '']);
      await new Promise((resolve) => gone.once('close', resolve));
      const runtime = {
        format: 1,
        pid: gone.pid,
        startedAt: new Date().toISOString(),
        dataDir: dir,
        urls: {},
        databases: {},
        env: { RAG_URL: 'http://127.0.0.1:9' },
        secrets: {},
      };
      await writeFile(join(dir, 'runtime.json'), JSON.stringify(runtime));
      const status = await mobius(['dev', 'status', '--data-dir', dir], NO_VARIABLES);
      expect(status.code).toBe(1);
      expect(status.stderr).toBe(
        `mobius: no mobius dev is running in ${dir}: ${join(dir, 'runtime.json')} is stale (pid ${gone.pid} is gone); mobius dev starts one`,
      );
      const listed = await mobius(['documents', 'list', '--data-dir', dir], NO_VARIABLES);
      expect(listed.err[0]).toBe(
        `mobius documents list: rag API http://localhost:8001; from defaults (${join(dir, 'runtime.json')} is stale: pid ${gone.pid} is gone)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('mobius --version prints the package version and the git commit', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8'));
    const printed = await mobius(['--version'], NO_VARIABLES);
    expect(printed.code).toBe(0);
    expect(printed.out).toEqual([
      expect.stringMatching(new RegExp(`^mobius ${version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{7,}(\\+dirty)?\\)$`)),
    ]);
  });
});
