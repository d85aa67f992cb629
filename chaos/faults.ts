// The fault schedule, drawn from the run's seed (so `--seed` replays it), and its injection.
import { seededRandom } from '../bench/support/random.ts';
import type { BusRestartMode } from './cluster/nats.ts';
import { sleep } from './cluster/ports.ts';
import type { PostgresRestartMode } from './cluster/postgres.ts';
import { FAULTABLE_SERVICES, type FaultableService } from './stack.ts';

export const FAULT_KINDS = ['kill', 'term', 'pg-restart', 'bus-restart', 'net', 'dup'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const TOPICS = ['rag.publish_events', 'warehouse.landing_ingested', 'warehouse.mart_updated'] as const;

export type Fault =
  | { kind: 'kill' | 'term'; atMs: number; service: FaultableService; midTransaction: boolean; restartAfterMs: number }
  | { kind: 'pg-restart'; atMs: number; mode: PostgresRestartMode; downMs: number }
  | { kind: 'bus-restart'; atMs: number; mode: BusRestartMode; downMs: number }
  | { kind: 'net'; atMs: number; link: 'postgres' | 'bus'; action: 'delay' | 'reset' | 'blackhole'; ms: number; forMs: number }
  | { kind: 'dup'; atMs: number; topic: (typeof TOPICS)[number]; count: number; freshIdShare: number };

export const FAULT_DEFAULTS = {
  /** Faults per run, drawn in [min, max]. */
  perRun: { min: 3, max: 5 },
  /** Faults fall in this share of the workload's duration (the rest lets the last ones play out). */
  window: { from: 0.05, to: 0.8 },
} as const;

/** Draws a run's faults of the given kinds: times, targets and parameters, sorted by time. */
export function drawSchedule(seed: number, kinds: readonly FaultKind[], durationMs: number): Fault[] {
  // A stream of its own, so the workload's draws (same seed) do not shift with the fault kinds.
  const random = seededRandom(seed ^ 0x5eed_f417);
  const int = (min: number, max: number) => min + Math.floor(random.next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
  const count = int(FAULT_DEFAULTS.perRun.min, FAULT_DEFAULTS.perRun.max);
  const { from, to } = FAULT_DEFAULTS.window;
  const faults: Fault[] = [];
  for (let i = 0; i < count; i++) {
    const atMs = Math.round(durationMs * (from + random.next() * (to - from)));
    const kind = pick(kinds);
    switch (kind) {
      case 'kill':
      case 'term':
        faults.push({ kind, atMs, service: pick(FAULTABLE_SERVICES), midTransaction: random.next() < 0.5, restartAfterMs: int(0, 2_000) });
        break;
      case 'pg-restart':
        faults.push({ kind, atMs, mode: random.next() < 0.5 ? 'fast' : 'immediate', downMs: int(200, 3_000) });
        break;
      case 'bus-restart':
        faults.push({ kind, atMs, mode: random.next() < 0.6 ? 'kill' : 'term', downMs: int(200, 3_000) });
        break;
      case 'net': {
        const action = pick(['delay', 'reset', 'blackhole'] as const);
        faults.push({ kind, atMs, link: random.next() < 0.5 ? 'postgres' : 'bus', action, ms: int(20, 400), forMs: int(1_000, 6_000) });
        break;
      }
      case 'dup':
        faults.push({ kind, atMs, topic: pick(TOPICS), count: int(2, 10), freshIdShare: random.next() });
        break;
    }
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

/** One line per fault, for the failure report. */
export function describeFault(fault: Fault): string {
  const at = `t+${(fault.atMs / 1000).toFixed(2)}s`;
  switch (fault.kind) {
    case 'kill':
    case 'term':
      return `${at} ${fault.kind} ${fault.service}${fault.midTransaction ? ' (mid-transaction)' : ''}, restart after ${fault.restartAfterMs} ms`;
    case 'pg-restart':
      return `${at} pg-restart (${fault.mode}), down ${fault.downMs} ms`;
    case 'bus-restart':
      return `${at} bus-restart (${fault.mode === 'kill' ? 'kill -9' : 'SIGTERM'}), down ${fault.downMs} ms`;
    case 'net':
      return `${at} net ${fault.link} ${fault.action}${fault.action === 'delay' ? ` ${fault.ms} ms` : ''}${fault.action === 'reset' ? '' : ` for ${fault.forMs} ms`}`;
    case 'dup':
      return `${at} dup ${fault.count} messages of ${fault.topic} (${Math.round(fault.freshIdShare * 100)}% with fresh ids), reordered`;
  }
}

/** What the injector needs from the run. */
export interface FaultTarget {
  signal(service: FaultableService, signal: 'SIGKILL' | 'SIGTERM'): Promise<unknown>;
  /** Resolves once `service` runs (it may be restarting after an earlier fault). */
  ready(service: FaultableService): Promise<unknown>;
  restart(service: FaultableService): Promise<void>;
  /** True while `service` has a transaction open on Postgres. */
  inTransaction(service: FaultableService): Promise<boolean>;
  restartPostgres(mode: PostgresRestartMode, downMs: number): Promise<void>;
  restartBus(mode: BusRestartMode, downMs: number): Promise<void>;
  proxy(link: 'postgres' | 'bus'): {
    setMode(mode: { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'blackhole' }): void;
    resetAll(): number;
  };
  /** Publishes again up to `count` messages the topic already holds, in another order; returns how many. */
  duplicate(topic: string, count: number, freshIdShare: number): Promise<number>;
}

export const INJECT_DEFAULTS = {
  /** Longest wait for a mid-transaction moment before killing anyway. */
  transactionWaitMs: 3_000,
  transactionPollMs: 10,
} as const;

/**
 * Injects the faults in order, each at its time (or when the one before has finished). Restarts of
 * killed services run in the background; the returned promise resolves once every fault has been
 * injected and healed, and every restart has finished. `injected` counts the faults that hit.
 */
export async function injectFaults(target: FaultTarget, faults: Fault[], log: (line: string) => void): Promise<{ injected: Record<string, number> }> {
  const started = Date.now();
  const injected: Record<string, number> = {};
  const restarts: Promise<void>[] = [];
  for (const fault of faults) {
    const wait = fault.atMs - (Date.now() - started);
    if (wait > 0) await sleep(wait);
    log(describeFault(fault));
    switch (fault.kind) {
      case 'kill':
      case 'term': {
        await target.ready(fault.service);
        if (fault.midTransaction) {
          const deadline = Date.now() + INJECT_DEFAULTS.transactionWaitMs;
          while (Date.now() < deadline && !(await target.inTransaction(fault.service).catch(() => false)))
            await sleep(INJECT_DEFAULTS.transactionPollMs);
        }
        await target.signal(fault.service, fault.kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
        restarts.push(sleep(fault.restartAfterMs).then(() => target.restart(fault.service)));
        break;
      }
      case 'pg-restart':
        await target.restartPostgres(fault.mode, fault.downMs);
        break;
      case 'bus-restart':
        await target.restartBus(fault.mode, fault.downMs);
        break;
      case 'net': {
        const proxy = target.proxy(fault.link);
        if (fault.action === 'reset') proxy.resetAll();
        else {
          proxy.setMode(fault.action === 'delay' ? { kind: 'delay', ms: fault.ms } : { kind: 'blackhole' });
          await sleep(fault.forMs);
          proxy.setMode({ kind: 'pass' });
        }
        break;
      }
      case 'dup':
        if ((await target.duplicate(fault.topic, fault.count, fault.freshIdShare)) === 0) continue;
        break;
    }
    injected[fault.kind] = (injected[fault.kind] ?? 0) + 1;
  }
  await Promise.all(restarts);
  return { injected };
}
