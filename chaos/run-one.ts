// One chaos run: a fresh stack, the seeded workload with the seeded faults at the same time, then
// (faults over, every service back) the checker waits for Chat and the index to equal RAG.
import { randomUUID } from 'node:crypto';
import { createBus } from '@mobius/bus';
import pg from 'pg';
import { seededRandom } from '../bench/support/random.ts';
import { createChecker, clean, type Checker, type Comparison } from './checker.ts';
import { describeFault, drawSchedule, injectFaults, type FaultKind, type FaultTarget } from './faults.ts';
import { createStack, FAULTABLE_SERVICES, STACK_DEFAULTS, type BusKind, type FaultableService, type Stack } from './stack.ts';
import { runWorkload, type WorkloadStats } from './workload/workload.ts';

export interface RunOptions {
  seed: number;
  kinds: readonly FaultKind[];
  bus: BusKind;
  /** How long the workload runs (faults fall inside it). */
  durationMs: number;
  /** Longest wait for convergence once faults stop. */
  convergeTimeoutMs: number;
  log: (line: string) => void;
  /** Runs after the check, before the stack goes (tests: a negative control on the converged stack). */
  inspect?: (context: { stack: Stack; checker: Checker; rag: pg.Pool; chat: pg.Pool }) => Promise<void>;
}

export interface RunResult {
  seed: number;
  kinds: FaultKind[];
  bus: BusKind;
  schedule: string[];
  injected: Record<string, number>;
  workload: WorkloadStats;
  ragRows: number;
  comparison: Comparison;
  /** From the end of faults and workload to Chat and the index equal to RAG; undefined: never within the bound. */
  convergedMs: number | undefined;
  /** Services that exited on their own (restarted; each is a defect), with their last log lines. */
  crashes: { service: string; exit: number | string; tail: string }[];
  ok: boolean;
  /** The command that replays this run. */
  replay: string;
  /** Errors the services logged (a failed run only). */
  problems?: string;
}

/** Which connections are each service's, in pg_stat_activity. */
const APPLICATION_NAMES: Record<FaultableService, string> = {
  rag: 'mobius-rag',
  ingestor: 'ingestor',
  'mart-builder': 'mobius-warehouse',
  'chat-sync': 'mobius-chat-sync',
  'vertex-sync': 'mobius-vertex-sync',
  reconciler: 'mobius-reconciler',
};

function quietPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined); // an idle client cut by a Postgres restart; the next query reconnects
  // A checked-out client cut between queries: its next query fails (and is retried), no process crash.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

function faultTarget(stack: Stack, rag: pg.Pool, seed: number): FaultTarget {
  const random = seededRandom(seed ^ 0xd0b1e);
  return {
    signal: (service, signal) => stack.signal(service, signal),
    ready: (service) => stack.urlOf(service),
    restart: (service) => stack.restart(service),
    async inTransaction(service) {
      const open = await rag.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL AND state <> 'idle' LIMIT 1`,
        [APPLICATION_NAMES[service]],
      );
      return open.rowCount! > 0;
    },
    restartPostgres: (mode, downMs) => stack.postgres.restart(mode, downMs),
    restartBus: (mode, downMs) => stack.bus.restart(mode, downMs),
    proxy: (link) => stack.proxies[link],
    async duplicate(topic, count, freshIdShare) {
      // Messages the topic already holds (most of them delivered), published again in a shuffled
      // order: some with their own id (the bus's dedupe window may drop them), some with a fresh one
      // (a true duplicate the consumers must absorb).
      const bus = await createBus(stack.bus.clientOptions(stack.topicPrefix));
      try {
        const held = (await bus.peek(topic, 500)).slice(-50);
        const chosen = held.filter(() => random.next() < count / Math.max(held.length, 1)).sort(() => random.next() - 0.5);
        for (const message of chosen) {
          const id = random.next() < freshIdShare ? randomUUID() : message.id;
          const attributes = { ...message.attributes, ...(message.attributes['ce-id'] ? { 'ce-id': id } : {}) };
          await bus.publish({ topic, id, data: message.data, attributes, ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}) });
        }
        return chosen.length;
      } catch {
        return 0; // the bus is down (another fault): nothing duplicated
      } finally {
        await bus.close().catch(() => undefined);
      }
    },
  };
}

export async function runOnce(options: RunOptions): Promise<RunResult> {
  const { seed, kinds, bus, durationMs, log } = options;
  const schedule = drawSchedule(seed, kinds, durationMs);
  const replay = `npm run chaos -- --runs 1 --seed ${seed} --faults ${kinds.join(',')} --bus ${bus} --duration ${durationMs / 1000}`;
  const stack = await createStack(bus, log);
  const rag = quietPool(stack.directUrl('rag'));
  const chat = quietPool(stack.directUrl('chat'));
  const checker = await createChecker(rag, chat, stack.vectorIndexUrl, STACK_DEFAULTS.dimensions);
  try {
    const [workload, { injected }] = await Promise.all([
      runWorkload({ ragUrl: () => stack.urlOf('rag'), rag, dimensions: STACK_DEFAULTS.dimensions }, seed, durationMs),
      injectFaults(faultTarget(stack, rag, seed), schedule, (line) => log(`  fault ${line}`)),
    ]);
    await Promise.all(FAULTABLE_SERVICES.map((name) => stack.urlOf(name)));
    const { comparison, convergedMs } = await checker.waitConverged(options.convergeTimeoutMs);
    const crashes = [...stack.crashes];
    const ok = convergedMs !== undefined && clean(comparison) && crashes.length === 0;
    await options.inspect?.({ stack, checker, rag, chat });
    return {
      seed,
      kinds: [...kinds],
      bus,
      schedule: schedule.map(describeFault),
      injected,
      workload,
      ragRows: comparison.ragRows,
      comparison,
      convergedMs,
      crashes,
      ok,
      replay,
      ...(ok ? {} : { problems: stack.problems() }),
    };
  } finally {
    await checker.close().catch(() => undefined);
    await Promise.all([rag.end(), chat.end()]).catch(() => undefined);
    await stack.destroy();
  }
}
