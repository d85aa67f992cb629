/**
 * The pipeline under measurement: its own rag, chat and warehouse databases (migrated), its own
 * TOPIC_PREFIX on the machine's NATS, a local vector index server, and every service as its own
 * `mobius start` process, exactly as the end-to-end tests run them (test/support/pipeline.ts).
 */
import { createPipeline, CONSUMERS, type Pipeline } from '../../test/support/pipeline.ts';
import { testDatabaseUrl } from '../../test/support/databases.ts';
import { startServiceProcess, stopServiceProcess, type ServiceProcess } from '../../test/support/processes.ts';
import { cpuSeconds, natsCpuSeconds, postgresCpuSeconds } from './process-cpu.ts';
import { processMemory, type ProcessMemory } from './process-memory.ts';

export const PIPELINE_SERVICES = ['rag', ...CONSUMERS] as const;
export type PipelineService = (typeof PIPELINE_SERVICES)[number] | 'vector-index';

export interface Stack {
  pipeline: Pipeline;
  ragUrl: string;
  chatUrl: string;
  warehouseUrl: string;
  vectorIndexUrl: string;
  services: Map<PipelineService, ServiceProcess>;
  /** Starts the given pipeline services (all of them by default) and waits until they listen. */
  start(names?: readonly PipelineService[]): Promise<void>;
  /** Stops the given services (SIGTERM, then SIGKILL after the grace). */
  stop(names: readonly PipelineService[]): Promise<void>;
  /** The warnings and errors every service logged (last `max` each), for a failure report. */
  problems(max?: number): string;
  /** CPU seconds used so far by every running service, Postgres, nats-server and this benchmark process. */
  cpu(): Record<string, number>;
  /** Memory of every running service (the vector index server included), by name. */
  memory(): Record<string, ProcessMemory | undefined>;
  destroy(): Promise<void>;
}

/**
 * `profileDir`: every service writes a V8 CPU profile there when it exits (node --cpu-prof), for
 * finding where the time goes (open in Chrome DevTools or speedscope).
 */
export async function createStack(tag: string, dimensions: number, profileDir?: string): Promise<Stack> {
  const extra: Record<string, string> = { EMBEDDING_DIMENSIONS: String(dimensions) };
  if (profileDir) extra.CPU_PROFILE_DIR = profileDir;
  if (process.env.SERVICE_NODE_OPTIONS) extra.NODE_OPTIONS = process.env.SERVICE_NODE_OPTIONS;
  const pipeline = await createPipeline(tag, extra, { vectorIndex: 'local' });
  const vectorIndex = pipeline.running.find((service) => service.name === 'vector-index');
  if (!vectorIndex) throw new Error('the local vector index server did not start');
  const services = new Map<PipelineService, ServiceProcess>([['vector-index', vectorIndex]]);
  return {
    pipeline,
    ragUrl: testDatabaseUrl(pipeline.dbs.names.rag),
    chatUrl: testDatabaseUrl(pipeline.dbs.names.chat),
    warehouseUrl: testDatabaseUrl(pipeline.dbs.names.warehouse),
    vectorIndexUrl: vectorIndex.url,
    services,
    async start(names = PIPELINE_SERVICES) {
      // pipeline.start records every service that started, so destroy() stops them even when another failed.
      const started = await Promise.allSettled(names.map((name) => pipeline.start(name)));
      for (const result of started) {
        if (result.status === 'fulfilled') services.set(result.value.name as PipelineService, result.value);
      }
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
    async stop(names) {
      await Promise.all(
        names.map(async (name) => {
          const service = services.get(name);
          if (!service) return;
          services.delete(name);
          await stopServiceProcess(service);
        }),
      );
    },
    problems(max = 5) {
      return [...services]
        .map(([name, service]) => {
          const bad = service.logs.filter((line) => /"level":(4|5|6)\d/.test(line) || !line.startsWith('{')).slice(-max);
          return bad.length ? `--- ${name}\n${bad.join('\n')}` : '';
        })
        .filter(Boolean)
        .join('\n');
    },
    cpu() {
      const usage = process.cpuUsage();
      return {
        ...Object.fromEntries([...services].map(([name, service]) => [name, cpuSeconds(service.child.pid)])),
        postgres: postgresCpuSeconds(),
        'nats-server': natsCpuSeconds(),
        bench: (usage.user + usage.system) / 1e6,
      };
    },
    memory() {
      return Object.fromEntries([...services].map(([name, service]) => [name, processMemory(service.child.pid)]));
    },
    async destroy() {
      await pipeline.destroy();
    },
  };
}

/** Restarts the vector index server on an empty data directory (a fresh index), keeping its URL for services started later. */
export async function freshVectorIndex(stack: Stack, dataDir: string, dimensions: number): Promise<void> {
  const old = stack.services.get('vector-index');
  if (old) await stopServiceProcess(old);
  const server = await startServiceProcess('vector-index', { VECTOR_INDEX_DATA_DIR: dataDir, EMBEDDING_DIMENSIONS: String(dimensions) });
  stack.pipeline.running.push(server);
  stack.services.set('vector-index', server);
  stack.pipeline.env.VECTOR_INDEX_URL = server.url;
  stack.vectorIndexUrl = server.url;
}
