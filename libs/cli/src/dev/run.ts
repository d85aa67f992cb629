import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseEnv, pipelineEnvSchema, type ModuleName } from '@mobius/config';
import { startTelemetry } from '@mobius/telemetry';
import type { CliIO } from '../io.ts';
import { describeMigrations, migrateModules } from './databases.ts';
import { DATA_FILES, DEV_DEFAULTS, dataDirOf } from './defaults.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
import { devEnvironment, moduleDatabases, type ModuleDatabase } from './environment.ts';
import { lockDataDir } from './lock.ts';
import { startPlatform, type Platform } from './platform.ts';
import { checkDevConfig } from './preflight.ts';
import { parsePort, postgresPort } from './ports.ts';
import { describeBackends, describeConfigured, describeOpen, describePostgres, describeRelocation, readyBlock, shownPath } from './report.ts';
import { publishSamples, waitSearchable } from './samples.ts';
import { readOrCreateSecret } from './secrets.ts';
import { devRuntimeRecord } from './runtime-record.ts';
import { writeDevRuntime } from '../runtime/dev-runtime.ts';

/** `mobius dev`'s options, as commander passes them. */
export interface DevOptions {
  /** Where dev keeps its state (default MOBIUS_DATA_DIR, else `<repo>/.mobius`). */
  dataDir?: string;
  /** Services listen on base + offset; 0: any free port (default MOBIUS_DEV_PORT_BASE, else 8000). */
  portBase?: string;
  /** The embedded Postgres port; 0: any free port (default MOBIUS_DEV_PG_PORT, else 54329). */
  pgPort?: string;
  /** False with --no-sample: the sample corpus is not loaded. */
  sample?: boolean;
}

/** The running platform; `stop` brings everything down in order and releases the data directory. */
export interface RunningDev {
  stop(): Promise<void>;
  /** Resolves with the reason if a piece the platform cannot run without dies on its own (the embedded Postgres). */
  failed: Promise<string>;
}

/** Undo steps, run last-in first-out; every one runs even when an earlier one fails (the first error is rethrown). */
class Teardown {
  private readonly steps: (() => Promise<void>)[] = [];

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    let first: unknown;
    for (const step of this.steps.splice(0).reverse()) await step().catch((error: unknown) => (first ??= error));
    if (first !== undefined) throw first;
  }
}

/** JWT_SECRET from the environment, else the one kept in the data directory (generated on first run). */
async function jwtSecret(io: CliIO, dataDir: string): Promise<string> {
  if (io.env.JWT_SECRET) return io.env.JWT_SECRET;
  const path = join(dataDir, DATA_FILES.jwtSecret);
  const secret = await readOrCreateSecret(path);
  if (secret.created)
    io.out(
      `mobius dev: generated a JWT secret in ${shownPath(path)} (mobius search uses it; for mobius token: JWT_SECRET=$(cat ${shownPath(path)}))`,
    );
  return secret.value;
}

/** Starts the embedded Postgres for the modules no variable points elsewhere. */
async function embeddedPostgres(io: CliIO, options: DevOptions, dataDir: string, embedded: ModuleDatabase[]): Promise<EmbeddedPostgres> {
  const requested = options.pgPort ?? io.env.MOBIUS_DEV_PG_PORT;
  const port = await postgresPort(requested === undefined ? DEV_DEFAULTS.postgresPort : parsePort(requested, '--pg-port'), requested !== undefined);
  const passwordFile = join(dataDir, DATA_FILES.postgresPassword);
  const password = (await readOrCreateSecret(passwordFile)).value;
  const postgres = await startEmbeddedPostgres({ dataDir, port, password, passwordFile, osUserName: io.env.MOBIUS_DEV_PG_OS_USER || undefined });
  io.out(`mobius dev: ${describePostgres(postgres, postgres.clusterDir, embedded)}`);
  const relocation = describeRelocation(postgres, dataDir);
  if (relocation) io.out(`mobius dev: ${relocation}`);
  return postgres;
}

/**
 * Writes `runtime.json` (everything listens now), so `mobius status`, `token`, `publish` ... find this
 * dev; returns its removal, run at a clean stop. `keeps` says which secrets live in the data directory.
 */
async function writeRuntimeFile(
  dataDir: string,
  platform: Platform,
  databases: Record<ModuleName, string>,
  ragReadUrl: string,
  keeps: { jwt: boolean; postgres: boolean },
): Promise<() => Promise<void>> {
  const record = devRuntimeRecord({
    dataDir,
    urls: platform.urls,
    databases,
    ragReadUrl,
    serviceEnv: parseEnv('dev', pipelineEnvSchema, platform.context.env),
    jwtSecretFile: keeps.jwt ? join(dataDir, DATA_FILES.jwtSecret) : undefined,
    postgresPasswordFile: keeps.postgres ? join(dataDir, DATA_FILES.postgresPassword) : undefined,
  });
  return writeDevRuntime(dataDir, record);
}

/** Publishes the samples not loaded yet and waits until they are searchable (or the start is aborted). */
async function loadSamples(io: CliIO, platform: Platform, ragDatabaseUrl: string, signal: AbortSignal): Promise<void> {
  const published = await publishSamples(platform.rag, DEV_DEFAULTS.samplesDir);
  const where = shownPath(DEV_DEFAULTS.samplesDir);
  if (published.length === 0) {
    io.out(`mobius dev: sample documents of ${where} already loaded`);
    return;
  }
  const { context } = platform;
  const rows = await waitSearchable({ ragDatabaseUrl, chatDatabaseUrl: context.pipeline.chatDatabaseUrl, index: context.index, signal }, published);
  if (rows !== undefined) io.out(`mobius dev: published ${published.length} sample documents of ${where} (${rows} paragraphs), searchable now`);
  else if (!signal.aborted) {
    const seconds = DEV_DEFAULTS.samplesSearchableTimeoutMs / 1000;
    io.out(`mobius dev: published ${published.length} sample documents of ${where}; not searchable after ${seconds} s (LOG_LEVEL=info shows why)`);
  }
}

/**
 * `mobius dev`: the whole platform in this process on embedded defaults. Takes the data directory,
 * starts the embedded Postgres (unless every module database is configured), creates and migrates
 * the module databases, starts every service on one bus and one vector index, loads the samples on
 * first run, and prints the URLs. `signal` aborts a start in progress (what started is stopped
 * again, and the abort error is thrown); any failure also stops what started.
 */
export async function runDev(options: DevOptions, io: CliIO, signal: AbortSignal): Promise<RunningDev> {
  const startedAt = performance.now();
  const teardown = new Teardown();
  try {
    const portBase = parsePort(options.portBase ?? io.env.MOBIUS_DEV_PORT_BASE ?? String(DEV_DEFAULTS.portBase), '--port-base');
    // Every config this start will read, read now: a bad variable stops it before anything starts.
    checkDevConfig(io.env);
    // First, as in every service's main.ts; the services in this process share it (OTEL_* variables).
    const telemetry = await startTelemetry({ service: 'mobius-dev', env: io.env });
    teardown.push(() => telemetry.shutdown());
    const dataDir = resolve(dataDirOf(options.dataDir, io.env));
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const lock = await lockDataDir(dataDir);
    teardown.push(lock.release);
    const secret = await jwtSecret(io, dataDir);
    const databases = moduleDatabases(io.env);
    const embedded = databases.filter((d) => !d.configured);
    const postgres = embedded.length > 0 ? await embeddedPostgres(io, options, dataDir, embedded) : undefined;
    if (postgres) teardown.push(postgres.stop);
    for (const line of describeConfigured(databases)) io.out(`mobius dev: ${line}`);
    signal.throwIfAborted();
    const urls = Object.fromEntries(databases.map((d) => [d.module, d.configured ?? postgres!.url(d.embeddedName)])) as Record<ModuleName, string>;
    const environment = devEnvironment(io.env, urls, secret);
    io.out(`mobius dev: ${describeMigrations(await migrateModules(urls, { ...io, env: environment.env }))}`);
    signal.throwIfAborted();
    const platform = await startPlatform(environment, portBase);
    teardown.push(platform.stop);
    teardown.push(await writeRuntimeFile(dataDir, platform, urls, environment.ragReadUrl, { jwt: !io.env.JWT_SECRET, postgres: Boolean(postgres) }));
    io.out(`mobius dev: ${describeBackends(environment.env, platform.refilled)}`);
    const open = describeOpen(platform.open);
    if (open) io.out(`mobius dev: ${open}`);
    if (options.sample !== false) await loadSamples(io, platform, urls.rag, signal);
    signal.throwIfAborted();
    for (const line of readyBlock(platform.urls, (performance.now() - startedAt) / 1000, dataDir)) io.out(line);
    const postgresLog = shownPath(join(dataDir, DATA_FILES.postgresLog));
    const failed = postgres
      ? postgres.unexpectedExit.then((log) => `the embedded Postgres exited (${postgresLog}: ${log})`)
      : new Promise<string>(() => {});
    return { stop: () => teardown.run(), failed };
  } catch (error) {
    await teardown.run().catch(() => undefined);
    throw error;
  }
}
