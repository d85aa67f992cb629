// One run's platform: a private Postgres and bus, a controllable proxy in front of each, the
// databases migrated, the local vector index server, and every pipeline service (plus the
// reconciler) as its own `mobius start` process connected through the proxies.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@mobius/cli';
import { startServiceProcess, stopServiceProcess, type ServiceProcess } from '../test/support/processes.ts';
import { startPrivateBus, type PrivateBus } from './cluster/bus.ts';
import { sleep } from './cluster/ports.ts';
import { startPrivatePostgres, type PrivatePostgres } from './cluster/postgres.ts';
import { startProxy, type FaultProxy } from './cluster/proxy.ts';

/** Services a kill or term fault may hit (the local vector index stands in for Vertex AI, a managed service). */
export const FAULTABLE_SERVICES = ['rag', 'ingestor', 'mart-builder', 'chat-sync', 'vertex-sync', 'reconciler'] as const;
export type FaultableService = (typeof FAULTABLE_SERVICES)[number];

export const STACK_DEFAULTS = {
  /** Small embeddings keep the runs light; the pipeline treats every dimension alike. */
  dimensions: 64,
  /** The reconciler's pass interval: hard deletes by the existing app converge within it. */
  reconcileIntervalSeconds: 2,
  /** Longest time a service may take to come back (its database or bus may still be down). */
  restartTimeoutMs: 90_000,
  /** Pause between attempts to start a service that exited at boot. */
  restartPauseMs: 500,
  databases: { rag: 'mobius_rag', chat: 'mobius_chat', warehouse: 'mobius_warehouse' },
} as const;

export type BusKind = 'nats' | 'pubsub';

export interface Stack {
  dir: string;
  postgres: PrivatePostgres;
  bus: PrivateBus;
  proxies: { postgres: FaultProxy; bus: FaultProxy };
  topicPrefix: string;
  /** Direct URL (not proxied) of rag, chat and the warehouse, for the workload's SQL and the checker. */
  directUrl(database: keyof typeof STACK_DEFAULTS.databases): string;
  vectorIndexUrl: string;
  /** The environment every service gets (connections through the proxies). */
  env: Record<string, string>;
  /** The running process of a service (undefined while it is down). */
  service(name: FaultableService): ServiceProcess | undefined;
  /** Waits until `name` is up and returns its URL. */
  urlOf(name: FaultableService): Promise<string>;
  /** Starts `name` again (after a kill or term), retrying while its dependencies are down. */
  restart(name: FaultableService): Promise<void>;
  /** Ends `name` with `signal` and waits for its exit. */
  signal(name: FaultableService, signal: 'SIGKILL' | 'SIGTERM'): Promise<number | string | undefined>;
  /** Warnings and errors the services logged, for a failure report. */
  problems(max?: number): string;
  /**
   * Services that exited without a fault asking them to (a crash: a defect), with their last log
   * lines. Each was started again, as an orchestrator would.
   */
  crashes: { service: FaultableService; exit: number | string; tail: string }[];
  destroy(): Promise<void>;
}

export async function createStack(busKind: BusKind, log: (line: string) => void = () => undefined): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'mobius-chaos-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const destroy = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => log(`cleanup: ${String(error)}`));
  };
  try {
    const postgres = await startPrivatePostgres(dir);
    cleanups.push(() => postgres.stop());
    const bus = await startPrivateBus(busKind, dir);
    cleanups.push(() => bus.stop());
    const proxies = { postgres: await startProxy(postgres.port), bus: await startProxy(bus.port) };
    cleanups.push(
      () => proxies.postgres.close(),
      () => proxies.bus.close(),
    );
    const topicPrefix = `chaos${randomBytes(3).toString('hex')}_`;
    const direct = (database: keyof typeof STACK_DEFAULTS.databases) => postgres.url(STACK_DEFAULTS.databases[database]);
    const proxied = (database: keyof typeof STACK_DEFAULTS.databases) =>
      `postgresql://postgres:${postgres.password}@127.0.0.1:${proxies.postgres.port}/${STACK_DEFAULTS.databases[database]}`;
    await migrate({ DATABASE_URL: direct('rag'), CHAT_DATABASE_URL: direct('chat'), WAREHOUSE_DATABASE_URL: direct('warehouse') });
    const vectorIndex = await startServiceProcess('vector-index', {
      VECTOR_INDEX_DATA_DIR: join(dir, 'vector-index'),
      // Loopback only, reached by this run alone.
      AUTH: 'none',
      EMBEDDING_DIMENSIONS: String(STACK_DEFAULTS.dimensions),
    });
    const killVectorIndex = () => vectorIndex.child.kill('SIGKILL');
    process.on('exit', killVectorIndex);
    cleanups.push(() => {
      process.off('exit', killVectorIndex);
      return stopServiceProcess(vectorIndex, 3_000);
    });
    const env: Record<string, string> = {
      DATABASE_URL: proxied('rag'),
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(proxies.postgres.port),
      POSTGRES_DB: STACK_DEFAULTS.databases.rag,
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: postgres.password,
      CHAT_DATABASE_URL: proxied('chat'),
      WAREHOUSE_DATABASE_URL: proxied('warehouse'),
      TOPIC_PREFIX: topicPrefix,
      ...bus.serviceEnv(proxies.bus.port),
      EMBEDDING_DIMENSIONS: String(STACK_DEFAULTS.dimensions),
      VECTOR_INDEX: 'local',
      VECTOR_INDEX_URL: vectorIndex.url,
      RECONCILE_INTERVAL_SECONDS: String(STACK_DEFAULTS.reconcileIntervalSeconds),
      // The services listen on loopback for this run alone (services that require no auth ignore it).
      AUTH: 'none',
    };
    const running = new Map<FaultableService, ServiceProcess | undefined>();
    const crashes: Stack['crashes'] = [];
    let closing = false;
    const everStarted: ServiceProcess[] = [];
    const waiting = new Map<FaultableService, Promise<void>>();
    // If this process exits without destroy() (SIGINT), no service outlives it.
    const killAll = () => {
      for (const s of everStarted) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    };
    process.on('exit', killAll);
    cleanups.push(async () => {
      process.off('exit', killAll);
      closing = true;
      await Promise.allSettled([...waiting.values()]);
      await Promise.all([...running.values()].map((s) => s && stopServiceProcess(s, 3_000)));
    });
    const startOnce = async (name: FaultableService) => {
      const deadline = Date.now() + STACK_DEFAULTS.restartTimeoutMs;
      for (;;) {
        try {
          const service = await startServiceProcess(name, env);
          everStarted.push(service);
          running.set(name, service);
          void service.exited.then((exit) => {
            if (closing || running.get(name) !== service) return;
            crashes.push({ service: name, exit, tail: service.logs.slice(-12).join('\n') });
            running.set(name, undefined);
            void restart(name).catch(() => undefined);
          });
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(STACK_DEFAULTS.restartPauseMs);
        }
      }
    };
    const restart = (name: FaultableService) => {
      const started = startOnce(name).finally(() => waiting.delete(name));
      waiting.set(name, started);
      return started;
    };
    // The vertex side first: with Pub/Sub a subscription gets only what is published once it exists.
    for (const name of ['ingestor', 'mart-builder', 'chat-sync', 'vertex-sync', 'reconciler', 'rag'] as const) await restart(name);
    return {
      dir,
      postgres,
      bus,
      proxies,
      topicPrefix,
      directUrl: direct,
      vectorIndexUrl: vectorIndex.url,
      env,
      service: (name) => running.get(name),
      async urlOf(name) {
        for (;;) {
          const service = running.get(name);
          if (service) return service.url;
          await (waiting.get(name) ?? sleep(100));
        }
      },
      restart,
      async signal(name, signal) {
        const service = running.get(name);
        if (!service) return undefined;
        running.set(name, undefined);
        service.child.kill(signal);
        return service.exited;
      },
      problems(max = 5) {
        return everStarted
          .map((service) => {
            const bad = service.logs.filter((line) => /"level":(5|6)\d/.test(line) || !line.startsWith('{')).slice(-max);
            return bad.length ? `--- ${service.name} (pid ${service.child.pid})\n${bad.join('\n')}` : '';
          })
          .filter(Boolean)
          .join('\n');
      },
      crashes,
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}

async function migrate(env: Record<string, string>): Promise<void> {
  for (const module of ['rag', 'chat', 'warehouse'] as const) {
    const err: string[] = [];
    const code = await runCli(['migrate', '--env', 'dev', '--module', module], { env, out: () => undefined, err: (line) => err.push(line) });
    if (code !== 0) throw new Error(`migrating ${module} failed: ${err.join('\n')}`);
  }
}
