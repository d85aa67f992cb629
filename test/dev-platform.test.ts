// `mobius dev` (libs/cli/src/commands/dev.ts) as a real process whose whole environment is PATH: the
// embedded Postgres from npm (as root, under an unprivileged account), every module database created
// and migrated, every service in the one process, the sample policies published once through rag and
// searchable with `mobius search` as soon as the URLs are printed; its reconciler (every second on the
// first start: RECONCILE_INTERVAL_SECONDS=1) repairs a Chat row changed by hand and reports no drift;
// SIGTERM stops it with exit 0, and a second start on the same data directory reuses everything (same documents, no new publish events).
// With every module URL, NATS_URL and JWT_SECRET given, those replace the embedded pieces.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobius, problemsIn } from './support/cli.ts';
import { moduleDatabases, queryDatabase } from './support/databases.ts';
import { deleteStreams } from './support/nats.ts';
import { spawnNode, stopProcess, waitForLine, type RunningProcess } from './support/processes.ts';

const STARTUP_TIMEOUT_MS = 45_000;
/** Cloud Run's grace period: everything must be down within it. */
const STOP_WITHIN_MS = 10_000;
const MINIMAL_ENV = { PATH: process.env.PATH ?? '' };
const PARAGRAPH = 'A prior authorization request must be submitted before the service is rendered.';
/** The files dev keeps in its data directory while it runs when nothing is embedded: its lock, and what the CLI reads. */
const DATA_LOCK = 'dev.pid';
const RUNTIME_FILE = 'runtime.json';
const QUERY = "a prior authorization request needs the ordering provider's NPI, the CPT codes and the clinical notes";
/** The first start reconciles every second, so a repair shows within the test's wait. */
const RECONCILING_ENV = { ...MINIMAL_ENV, RECONCILE_INTERVAL_SECONDS: '1' };
const REPAIR_WITHIN_MS = 15_000;

interface Dev extends RunningProcess {
  chatUrl: string;
  ragUrl: string;
  /** The embedded Postgres port (undefined when every database is configured). */
  postgresPort: number | undefined;
}

let dataDir: string;
let running: Dev | undefined;

/** Starts `mobius dev` on `dir` (default: the test's data directory) and any free ports; resolves once it printed its URLs. */
async function startDev(env: Record<string, string> = MINIMAL_ENV, dir = dataDir, flags: string[] = []): Promise<Dev> {
  const dev = spawnNode(['bin/mobius.js', 'dev', '--data-dir', dir, '--port-base', '0', '--pg-port', '0', ...flags], { env });
  await waitForLine(dev, /^ {2}try /, STARTUP_TIMEOUT_MS);
  const printed = dev.lines.join('\n');
  const chatUrl = /^ {2}chat search +(http:\/\/\S+)\/v1\/search /m.exec(printed)![1]!;
  const ragUrl = /^ {2}rag API +(http:\/\/\S+) /m.exec(printed)![1]!;
  const port = /embedded Postgres \S+ on 127\.0\.0\.1:(\d+)/.exec(printed)?.[1];
  return { ...dev, chatUrl, ragUrl, postgresPort: port === undefined ? undefined : Number(port) };
}

/** Sends `signal` and waits for the exit; returns the exit code (or signal) and how long it took. */
function stopDev(dev: Dev, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | string; ms: number }> {
  return stopProcess(dev, signal, STOP_WITHIN_MS + 5_000);
}

/** Runs `mobius search` as its own process, with PATH only: it finds dev's secret in the data directory. */
async function search(dev: Dev, text: string): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const run = spawnNode(['bin/mobius.js', 'search', text, '--chat-url', dev.chatUrl, '--data-dir', dataDir, '-k', '3'], { env: MINIMAL_ENV });
  const code = await run.exited;
  return { code, stdout: run.lines.join('\n'), stderr: run.errors.join('\n') };
}

/** Queries a database of the embedded Postgres, with the password dev generated. */
async function query<T extends pg.QueryResultRow>(dev: Dev, database: string, sql: string): Promise<T[]> {
  const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
  const client = new pg.Client({ host: '127.0.0.1', port: dev.postgresPort, user: 'postgres', password, database });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const documentsOf = (dev: Dev) =>
  query<{ id: string; filename: string; payer: string; state: string; program: string; authority_level: string }>(
    dev,
    'mobius_rag',
    'SELECT id::text, filename, payer, state, program, authority_level FROM documents ORDER BY filename',
  );
const publishEventsOf = (dev: Dev) =>
  query<{ document_id: string; published_by: string }>(
    dev,
    'mobius_rag',
    'SELECT document_id::text, published_by FROM publish_events ORDER BY published_by',
  );

/** `mobius_drift_rows` of a /metrics page: `{ 'chat missing': 0, ... }` (target and kind). */
function driftRows(metrics: string): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const [, labels, value] of metrics.matchAll(/^mobius_drift_rows\{([^}]*)\} (\S+)$/gm)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels!)?.[1];
    rows[`${label('target')} ${label('kind')}`] = Number(value);
  }
  return rows;
}

/** The search must rank the sample paragraph first, with its document, page, paragraph and section. */
async function expectSampleFound(dev: Dev): Promise<void> {
  const found = await search(dev, QUERY);
  expect(problemsIn(found.stderr)).toEqual([]);
  expect(found.code).toBe(0);
  const lines = found.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe(`3 results for ${JSON.stringify(QUERY)}`);
  expect(lines[1]).toMatch(
    /^ 1\. 0\.\d{3} {2}prior-authorization\.md, page 1, paragraph 1 - Requirements {2}\[Sunshine Health, FL, Medicaid, payer_policy\]$/,
  );
  expect(lines[2]).toContain(PARAGRAPH);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mobius-dev-'));
});

afterAll(async () => {
  if (running && running.child.exitCode === null) await stopDev(running);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('mobius dev', () => {
  let first: { documents: Awaited<ReturnType<typeof documentsOf>>; events: Awaited<ReturnType<typeof publishEventsOf>> };

  it('starts everything on a new data directory and publishes the samples, searchable at once', async () => {
    running = await startDev(RECONCILING_ENV);
    const output = running.lines.join('\n');
    expect(output).toContain(`mobius dev: generated a JWT secret in ${join(dataDir, 'jwt-secret')}`);
    expect(output).toMatch(/mobius dev: embedded Postgres 1\d\.\d+ on 127\.0\.0\.1:\d+, data in \S+ \(created[;)]/);
    if (process.getuid?.() === 0) expect(output).toMatch(/\(created; runs as OS user \w+ \(Postgres refuses root\)\)/);
    expect(output).toMatch(
      /mobius dev: databases migrated: rag \(created, \d+ migrations? applied\), chat \(created, .*\), user \(created, .*\), os \(created, .*\), warehouse \(created, .*\)/,
    );
    expect(output).toContain('mobius dev: bus memory (in process); vector index in process; warehouse Postgres');
    expect(output).toMatch(/mobius dev: published 3 sample documents of samples\/policies \(\d+ paragraphs\), searchable now/);
    expect(output).toMatch(/mobius dev: ready in [\d.]+ s; Ctrl-C stops everything/);
    await expectSampleFound(running);
    first = { documents: await documentsOf(running), events: await publishEventsOf(running) };
    expect(first.documents.map(({ id: _id, ...metadata }) => metadata)).toEqual([
      {
        filename: 'eligibility-verification.md',
        payer: 'Superior HealthPlan',
        state: 'TX',
        program: 'Medicare-Medicaid (D-SNP)',
        authority_level: 'payer_policy',
      },
      { filename: 'prior-authorization.md', payer: 'Sunshine Health', state: 'FL', program: 'Medicaid', authority_level: 'payer_policy' },
      { filename: 'timely-filing.md', payer: 'Sunshine Health', state: 'FL', program: 'Medicaid', authority_level: 'provider_manual' },
    ]);
    expect(first.events.map((e) => e.published_by)).toEqual([
      'mobius dev samples: eligibility-verification.md',
      'mobius dev samples: prior-authorization.md',
      'mobius dev samples: timely-filing.md',
    ]);
  });

  it('runs the reconciler, which repairs a Chat row changed by hand and reports no drift left', async () => {
    const dev = running!;
    const reconcilerUrl = /^ {4}reconciler +(http:\/\/\S+)\/readyz$/m.exec(dev.lines.join('\n'))?.[1];
    expect(reconcilerUrl, dev.lines.join('\n')).toBeDefined();
    expect((await fetch(`${reconcilerUrl}/readyz`)).status).toBe(200);
    const [row] = await query<{ id: string; text: string }>(
      dev,
      'mobius_chat',
      'SELECT id::text, text FROM published_rag_metadata ORDER BY id LIMIT 1',
    );
    await query(dev, 'mobius_chat', `UPDATE published_rag_metadata SET text = 'changed by hand' WHERE id = '${row!.id}'`);

    const deadline = Date.now() + REPAIR_WITHIN_MS;
    let drift: Record<string, number> = {};
    let text = '';
    while (Date.now() < deadline) {
      text = (await query<{ text: string }>(dev, 'mobius_chat', `SELECT text FROM published_rag_metadata WHERE id = '${row!.id}'`))[0]!.text;
      drift = driftRows(await (await fetch(`${reconcilerUrl}/metrics`)).text());
      if (text === row!.text && Object.keys(drift).length === 8 && Object.values(drift).every((n) => n === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(text).toBe(row!.text);
    const kinds = ['missing', 'extra', 'stale', 'invalid'];
    expect(drift).toEqual(Object.fromEntries(['chat', 'vertex'].flatMap((target) => kinds.map((kind) => [`${target} ${kind}`, 0]))));
  });

  it('prints the console URL, whose page and /api/status answer without a token (CONSOLE_AUTH=none in dev)', async () => {
    const dev = running!;
    const consoleUrl = /^ {2}console +(http:\/\/\S+)\/ /m.exec(dev.lines.join('\n'))?.[1];
    expect(consoleUrl, dev.lines.join('\n')).toBeDefined();
    const page = await fetch(`${consoleUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-stage="chat-sync"');
    const status = (await (await fetch(`${consoleUrl}/api/status`)).json()) as { sinks: { name: string; last_run: unknown }[] };
    expect(status.sinks.map((sink) => sink.name)).toEqual(['chat-sync', 'vertex-sync']);
    expect(status.sinks.every((sink) => sink.last_run !== null)).toBe(true);
  });

  it('stops everything on SIGTERM and exits 0 within 10 s', async () => {
    const dev = running!;
    const stopped = await stopDev(dev);
    expect(stopped.code, dev.errors.slice(-5).join('\n')).toBe(0);
    expect(stopped.ms).toBeLessThan(STOP_WITHIN_MS);
    expect(dev.lines.slice(-2)).toEqual(['mobius dev: SIGTERM: stopping', 'mobius dev: stopped']);
    await expect(query(dev, 'postgres', 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await expect(stat(join(dataDir, DATA_LOCK))).rejects.toThrow(/ENOENT/);
  });

  it('reuses the data on a second start: same secret, same documents, no new publish, still searchable', async () => {
    running = await startDev();
    const output = running.lines.join('\n');
    expect(output).not.toContain('generated a JWT secret');
    expect(output).toMatch(/embedded Postgres \S+ on 127\.0\.0\.1:\d+, data in \S+ \(kept from an earlier run/);
    expect(output).toContain('mobius dev: databases up to date: rag, chat, user, os, warehouse');
    expect(output).toMatch(/vector index in process \(refilled from the mart: \d+ datapoints\)/);
    expect(output).toContain('mobius dev: sample documents of samples/policies already loaded');
    await expectSampleFound(running);
    expect(await documentsOf(running)).toEqual(first.documents);
    expect(await publishEventsOf(running)).toEqual(first.events);
    const stopped = await stopDev(running, 'SIGINT');
    expect(stopped.code, running.errors.slice(-5).join('\n')).toBe(0);
  });
});

describe('mobius dev --no-sample, and its Postgres dying', () => {
  let bareDir: string;

  beforeAll(async () => {
    bareDir = await mkdtemp(join(tmpdir(), 'mobius-dev-bare-'));
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) await stopDev(running);
    if (bareDir) await rm(bareDir, { recursive: true, force: true });
  });

  it('loads no samples with --no-sample; exits 1 when its Postgres dies, and starts again on the same data', async () => {
    running = await startDev(MINIMAL_ENV, bareDir, ['--no-sample']);
    expect(running.lines.join('\n')).not.toContain('sample');
    const password = (await readFile(join(bareDir, 'postgres-password'), 'utf8')).trim();
    const client = new pg.Client({ host: '127.0.0.1', port: running.postgresPort, user: 'postgres', password, database: 'mobius_rag' });
    await client.connect();
    const documents = await client.query('SELECT count(*)::int AS n FROM documents');
    await client.end();
    expect(documents.rows).toEqual([{ n: 0 }]);

    const postmaster = Number((await readFile(join(bareDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const killedAt = Date.now();
    process.kill(postmaster, 'SIGQUIT');
    expect(await running.exited, [...running.lines, ...running.errors].slice(-5).join('\n')).toBe(1);
    expect(Date.now() - killedAt).toBeLessThan(STOP_WITHIN_MS);

    running = await startDev(MINIMAL_ENV, bareDir, ['--no-sample']);
    expect(running.lines.join('\n')).toMatch(/embedded Postgres \S+ on 127\.0\.0\.1:\d+, data in \S+ \(kept from an earlier run/);
    expect((await stopDev(running)).code).toBe(0);
  });
});

describe('mobius dev with everything configured', () => {
  const databases = moduleDatabases('dev_configured');
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const topicPrefix = `t${randomBytes(3).toString('hex')}_`;
  const secret = 'dev-configured-test-secret';
  let configuredDir: string;

  beforeAll(async () => {
    configuredDir = await mkdtemp(join(tmpdir(), 'mobius-dev-configured-'));
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) await stopDev(running);
    await databases.drop();
    await deleteStreams(natsUrl, topicPrefix);
    if (configuredDir) await rm(configuredDir, { recursive: true, force: true });
  });

  it('uses the given databases, NATS and JWT_SECRET instead of starting embedded ones, guarded when AUTH=required', async () => {
    const guarded = { AUTH: 'required', CONSOLE_AUTH: 'jwt', MOBIUS_SERVICE_TOKEN: randomBytes(24).toString('hex') };
    running = await startDev(
      { ...MINIMAL_ENV, ...databases.env, NATS_URL: natsUrl, TOPIC_PREFIX: topicPrefix, JWT_SECRET: secret, ...guarded },
      configuredDir,
    );
    const output = running.lines.join('\n');
    // Every API guarded: no AUTH=none line, the samples went in with the service token, and rag refuses anyone else.
    expect(output).not.toContain('AUTH=none');
    const anonymous = await fetch(`${running.ragUrl}/documents`);
    expect(anonymous.status).toBe(401);
    const withToken = await fetch(`${running.ragUrl}/documents`, { headers: { authorization: `Bearer ${guarded.MOBIUS_SERVICE_TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect(output).not.toContain('embedded Postgres');
    expect(output).not.toContain('generated a JWT secret');
    expect(output).toContain(`mobius dev: rag database from DATABASE_URL: ${databases.env.DATABASE_URL}`);
    expect(output).toContain(`mobius dev: warehouse database from WAREHOUSE_DATABASE_URL: ${databases.env.WAREHOUSE_DATABASE_URL}`);
    expect(output).toMatch(
      /mobius dev: databases migrated: rag \(created, .*\), chat \(created, .*\), user \(created, .*\), os \(created, .*\), warehouse \(created, .*\)/,
    );
    expect(output).toContain(`mobius dev: bus nats at ${natsUrl}; vector index in process; warehouse Postgres`);
    expect(output).toMatch(/published 3 sample documents of samples\/policies \(\d+ paragraphs\), searchable now/);
    expect((await readdir(configuredDir)).sort()).toEqual([DATA_LOCK, RUNTIME_FILE]);

    const found = await mobius(['search', QUERY, '--chat-url', running.chatUrl, '-k', '1'], { JWT_SECRET: secret });
    expect(problemsIn(found.stderr)).toEqual([]);
    expect(found.out[1]).toMatch(/^ 1\. 0\.\d{3} {2}prior-authorization\.md, page 1, paragraph 1 - Requirements /);
    const rag = await queryDatabase<{ n: number }>(databases.names.rag, 'SELECT count(*)::int AS n FROM rag_published_embeddings');
    const chat = await queryDatabase<{ n: number }>(databases.names.chat, 'SELECT count(*)::int AS n FROM published_rag_metadata');
    expect(chat).toEqual(rag);
    expect(rag[0]!.n).toBeGreaterThan(0);

    const stopped = await stopDev(running);
    expect(stopped.code, running.errors.slice(-5).join('\n')).toBe(0);
    expect(await readdir(configuredDir)).toEqual([]);
  });
});
