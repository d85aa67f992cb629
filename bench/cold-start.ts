/**
 * Cold start of every service: `mobius start <service>` spawned -> first 200 from GET /readyz, and
 * the process's resident memory once it has idled.
 *
 * Run: `npx tsx bench/cold-start.ts [--runs=3] [--warmup=1] [--services=rag,chat] [--idle-ms=1000]
 *        [--fresh-tsx-cache] [--root=<checkout to start, default this one>] [--baseline=<another checkout>]`
 * --baseline takes turns, run by run, between that checkout's `mobius` and this one's and prints both
 * (a before/after on a shared, loaded machine). --fresh-tsx-cache times a fresh clone's first starts.
 * It makes its own databases (rag, chat, warehouse, user; migrated), its own TOPIC_PREFIX on the local
 * NATS (NATS_URL, default nats://127.0.0.1:4222) and its own vector index server for chat and
 * vertex-sync, then drops them. Results: a table on stdout and JSON in bench/results/.
 *
 * `measureColdStart` is the reusable part (the whole-pipeline bench imports it): it knows nothing of
 * databases, it only spawns, times and stops processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@mobius/test-support';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ColdStartOptions {
  /** Service names as `mobius start` takes them (`rag`, `ingestor`, ...), measured one after another. */
  services: readonly string[];
  /** Each service's environment (PORT and HOST are set here). PATH is added when absent. */
  env: (service: string) => Record<string, string>;
  /** Starts per service; default 3. */
  runs?: number;
  /** How long a ready process idles before its RSS is read; default 1,000 ms. */
  idleMs?: number;
  /** How often /readyz is polled; default 10 ms. */
  pollMs?: number;
  /** A start that is not ready by then fails the measurement (with the process's output); default 30 s. */
  timeoutMs?: number;
  /** Starts per service made first and not counted (they warm the tsx cache and the OS's file cache); default 0. */
  warmup?: number;
  /** The checkout whose `bin/mobius.js` is started (another tree, to compare); default this one. */
  root?: string;
  /** Extra node flags for the service process (e.g. `--cpu-prof`); default none. */
  nodeArgs?: readonly string[];
  /**
   * Each run gets an empty TMPDIR, so tsx finds no cached transpilation (it keeps one under
   * $TMPDIR/tsx-<uid>, keyed by file path and content): what the first start of a fresh clone costs.
   * Default false: the cache is as warm as earlier starts left it.
   */
  freshTsxCache?: boolean;
}

export interface ColdStartResult {
  service: string;
  /** Spawn -> first 200 from /readyz, per run, in ms. */
  runsMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** VmRSS after `idleMs` of idling, median over the runs, in MB. */
  idleRssMb: number;
  /** VmRSS per run, in MB. */
  idleRssMbRuns: number[];
  /**
   * CPU time (user + system, all threads) the process had used when it was first ready, median, in ms
   * (10 ms resolution). Less sensitive than the wall time to other work on a shared machine.
   */
  cpuMs: number;
  cpuMsRuns: number[];
}

/**
 * Spawns each service `runs` times (one process at a time, each stopped before the next starts) as
 * `node bin/mobius.js start <service>` with `env(service)`, and times spawn -> first 200 from
 * GET /readyz, then reads the idle RSS from /proc/<pid>/status. Every process it started has exited
 * when it returns or throws (SIGTERM, then SIGKILL after 5 s).
 */
export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult[]> {
  const runs = options.runs ?? 3;
  const results: ColdStartResult[] = [];
  for (const service of options.services) {
    const runsMs: number[] = [];
    const rssMb: number[] = [];
    const cpuMs: number[] = [];
    for (let warm = 0; warm < (options.warmup ?? 0); warm++) {
      await (await startService(service, options.env(service), options)).stop();
    }
    for (let run = 0; run < runs; run++) {
      const scratch = options.freshTsxCache ? mkdtempSync(join(tmpdir(), 'mobius-cold-tsx-')) : undefined;
      const env = scratch ? { ...options.env(service), TMPDIR: scratch } : options.env(service);
      const started = await startService(service, env, options).catch((error: unknown) => {
        if (scratch) rmSync(scratch, { recursive: true, force: true });
        throw error;
      });
      try {
        runsMs.push(started.readyMs);
        cpuMs.push(started.cpuMs);
        await sleep(options.idleMs ?? 1_000);
        rssMb.push(residentMb(started.child.pid!));
      } finally {
        await started.stop();
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      }
    }
    results.push(summarise(service, runsMs, rssMb, cpuMs));
  }
  return results;
}

/** One service's result from its runs' times and RSS (also how the CLI merges interleaved runs). */
export function summarise(service: string, runsMs: number[], idleRssMbRuns: number[], cpuMsRuns: number[]): ColdStartResult {
  return {
    service,
    runsMs,
    medianMs: median(runsMs),
    minMs: Math.min(...runsMs),
    maxMs: Math.max(...runsMs),
    idleRssMb: median(idleRssMbRuns),
    idleRssMbRuns,
    cpuMs: median(cpuMsRuns),
    cpuMsRuns,
  };
}

/** A service process started and ready. */
export interface StartedService {
  child: ChildProcess;
  url: string;
  /** Spawn -> first 200 from /readyz, in ms. */
  readyMs: number;
  /** CPU time the process had used by then, in ms. */
  cpuMs: number;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Processes still running, killed if this process exits first (Ctrl-C, a crash). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts `mobius start <service>` on a free port and waits for /readyz to answer 200. */
export async function startService(
  service: string,
  env: Record<string, string>,
  options: Pick<ColdStartOptions, 'pollMs' | 'timeoutMs' | 'nodeArgs' | 'root'> = {},
): Promise<StartedService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'bin/mobius.js', 'start', service], {
    cwd: options.root ?? ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = t0 + (options.timeoutMs ?? 30_000);
  let readyMs = 0;
  let cpuMs = 0;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ready`);
      if ((await readyzStatus(url)) === 200) {
        readyMs = performance.now() - t0;
        cpuMs = cpuTimeMs(child.pid!);
        break;
      }
      if (performance.now() > deadline) throw new Error('not ready in time');
      await sleep(options.pollMs ?? 10);
    }
  } catch (error) {
    await stop();
    throw new Error(`${service}: ${(error as Error).message}\n${output.join('').trimEnd()}`);
  }
  return { child, url, readyMs: Math.round(readyMs), cpuMs, stop };
}

/**
 * What every service pays before its own code, for reading the table: spawn -> exit of `node -e 0`
 * and of `mobius --help` (Node, tsx and the CLI with its configuration schemas), median of `runs`, in ms.
 */
export async function measureFloor(runs = 3, root = ROOT): Promise<{ nodeMs: number; mobiusHelpMs: number }> {
  const timeToExit = async (args: string[]) => {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now();
      const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
      live.add(child);
      await new Promise((resolve) => child.once('exit', resolve));
      live.delete(child);
      times.push(Math.round(performance.now() - t0));
    }
    return median(times);
  };
  return { nodeMs: await timeToExit(['-e', '0']), mobiusHelpMs: await timeToExit(['bin/mobius.js', '--help']) };
}

/** GET /readyz's status, or 0 when nothing answers yet. A fresh connection each time: no keep-alive to a dying port. */
function readyzStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${url}/readyz`, { agent: false, timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** User + system CPU time of `pid` so far, in ms (Linux; /proc/<pid>/stat counts in 1/100 s). */
function cpuTimeMs(pid: number): number {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** VmRSS of `pid` in MB (Linux). */
function residentMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : Math.round(((sorted[middle - 1]! + sorted[middle]!) / 2) * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------
// The CLI: every service on its own databases, topic prefix and vector index server.

/** Every service `mobius start` runs, in the order measured. */
export const ALL_SERVICES = ['rag', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync', 'chat', 'user', 'vector-index'] as const;

async function main(): Promise<void> {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
  const runs = Number(args.runs ?? 3);
  const idleMs = Number(args['idle-ms'] ?? 1_000);
  const services = args.services ? args.services.split(',') : [...ALL_SERVICES];
  const freshTsxCache = 'fresh-tsx-cache' in args;
  const warmup = Number(args.warmup ?? (freshTsxCache ? 0 : 1));
  const baseline = args.baseline;
  const root = args.root ?? ROOT;
  // Loaded here, not at the top: an importer of measureColdStart needs none of the test helpers.
  const { mobius } = await import('../test/support/cli.ts');
  const { moduleDatabases, TEST_POSTGRES } = await import('../test/support/databases.ts');
  const { deleteStreams } = await import('../test/support/nats.ts');
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

  const dbs = moduleDatabases('coldstart');
  const topicPrefix = `cs${randomBytes(3).toString('hex')}_`;
  const vectorDir = mkdtempSync(join(tmpdir(), 'mobius-cold-start-'));
  let vectorIndex: StartedService | undefined;
  try {
    for (const module of ['rag', 'chat', 'warehouse', 'user'] as const) {
      const run = await mobius(['migrate', '--env', 'dev', '--module', module], dbs.env);
      if (run.code !== 0) throw new Error(`migrating ${module} failed: ${run.stderr}`);
    }
    const serviceToken = randomBytes(24).toString('hex');
    const server = new URL(TEST_POSTGRES);
    const dimensions = '1536';
    const pipeline: Record<string, string> = {
      DATABASE_URL: dbs.env.DATABASE_URL!,
      POSTGRES_HOST: server.hostname,
      POSTGRES_PORT: server.port || '5432',
      POSTGRES_DB: dbs.names.rag,
      POSTGRES_USER: decodeURIComponent(server.username) || 'postgres',
      CHAT_DATABASE_URL: dbs.env.CHAT_DATABASE_URL!,
      WAREHOUSE_DATABASE_URL: dbs.env.WAREHOUSE_DATABASE_URL!,
      BUS: 'nats',
      NATS_URL: natsUrl,
      TOPIC_PREFIX: topicPrefix,
      EMBEDDING_DIMENSIONS: dimensions,
      LOG_LEVEL: 'warn',
      // The guarded APIs (rag, vertex-sync's index views, the vector index server) need a credential.
      MOBIUS_SERVICE_TOKEN: serviceToken,
    };
    const jwt = { JWT_SECRET: randomBytes(32).toString('hex') };
    const vectorServerEnv = {
      VECTOR_INDEX_DATA_DIR: vectorDir,
      EMBEDDING_DIMENSIONS: dimensions,
      LOG_LEVEL: 'warn',
      MOBIUS_SERVICE_TOKEN: serviceToken,
    };
    // chat and vertex-sync run as deployed: on a vector index server (VECTOR_INDEX=local), started once here.
    if (services.some((s) => s === 'chat' || s === 'vertex-sync')) {
      vectorIndex = await startService('vector-index', vectorServerEnv);
    }
    const withIndex = { VECTOR_INDEX: 'local', VECTOR_INDEX_URL: vectorIndex?.url ?? '' };
    const envOf = (service: string): Record<string, string> => {
      switch (service) {
        case 'user':
          return { USER_DATABASE_URL: dbs.env.USER_DATABASE_URL!, ...jwt, LOG_LEVEL: 'warn' };
        case 'chat':
          return { ...pipeline, ...jwt, ...withIndex };
        case 'vertex-sync':
          return { ...pipeline, ...withIndex };
        case 'vector-index':
          return { ...vectorServerEnv, VECTOR_INDEX_DATA_DIR: mkdtempSync(join(vectorDir, 'measured-')) };
        default:
          return pipeline;
      }
    };
    const floor = { after: await measureFloor(runs, root), ...(baseline ? { before: await measureFloor(runs, baseline) } : {}) };
    const settings = { runs, idleMs, warmup, freshTsxCache, root, baseline: baseline ?? null, floor };
    if (!baseline) {
      report(await measureColdStart({ services, env: envOf, runs, warmup, idleMs, freshTsxCache, root }), settings);
      return;
    }
    // Before/after on a loaded machine: the two trees take turns, run by run, so both see the same load.
    const trees = { before: baseline, after: root } as const;
    const collected = { before: new Map<string, ColdStartResult[]>(), after: new Map<string, ColdStartResult[]>() };
    for (const service of services) {
      for (let run = 0; run < runs; run++) {
        for (const tree of ['before', 'after'] as const) {
          const [one] = await measureColdStart({
            services: [service],
            env: envOf,
            runs: 1,
            warmup: run === 0 ? warmup : 0,
            idleMs,
            freshTsxCache,
            root: trees[tree],
          });
          collected[tree].set(service, [...(collected[tree].get(service) ?? []), one!]);
        }
      }
    }
    const merge = (tree: 'before' | 'after') =>
      services.map((service) => {
        const runsOf = collected[tree].get(service)!;
        const flat = (pick: (r: ColdStartResult) => number[]) => runsOf.flatMap(pick);
        return summarise(
          service,
          flat((r) => r.runsMs),
          flat((r) => r.idleRssMbRuns),
          flat((r) => r.cpuMsRuns),
        );
      });
    report(merge('after'), settings, merge('before'));
  } finally {
    await vectorIndex?.stop();
    await deleteStreams(natsUrl, topicPrefix).catch(() => undefined);
    await dbs.drop();
    rmSync(vectorDir, { recursive: true, force: true });
  }
}

interface ReportSettings {
  runs: number;
  idleMs: number;
  warmup: number;
  freshTsxCache: boolean;
  root: string;
  baseline: string | null;
  floor: { after: { nodeMs: number; mobiusHelpMs: number }; before?: { nodeMs: number; mobiusHelpMs: number } };
}

function report(results: ColdStartResult[], settings: ReportSettings, before?: ColdStartResult[]): void {
  const cache = settings.freshTsxCache ? 'empty tsx cache' : `warm tsx cache, ${settings.warmup} warm-up start(s)`;
  console.log(`\ncold start: spawn -> /readyz 200 (${settings.runs} runs each, ${cache}), RSS after ${settings.idleMs} ms idle`);
  console.log(
    `machine: ${cpus().length} cores, load average now ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const floor = (f: { nodeMs: number; mobiusHelpMs: number }) => `node -e 0 ${f.nodeMs} ms, mobius --help ${f.mobiusHelpMs} ms`;
  console.log(
    `floor (spawn -> exit): ${settings.floor.before ? `before: ${floor(settings.floor.before)}; after: ` : ''}${floor(settings.floor.after)}\n`,
  );
  if (before) {
    console.log(`before: ${settings.baseline}\n`);
    console.log('| service | ms to ready, before | after | after/before | CPU ms, before | after | idle RSS MB, before | after |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    results.forEach((r, i) => {
      const b = before[i]!;
      const ratio = (r.medianMs / b.medianMs).toFixed(2);
      console.log(`| ${r.service} | ${b.medianMs} | ${r.medianMs} | ${ratio} | ${b.cpuMs} | ${r.cpuMs} | ${b.idleRssMb} | ${r.idleRssMb} |`);
    });
  } else {
    console.log('| service | ms to ready (median) | min | max | CPU ms to ready | idle RSS MB |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) console.log(`| ${r.service} | ${r.medianMs} | ${r.minMs} | ${r.maxMs} | ${r.cpuMs} | ${r.idleRssMb} |`);
  }
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: loadavg() };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `cold-start-${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ date, machine, ...settings, results, ...(before ? { before } : {}) }, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
