import type { Bus } from '@mobius/bus';
import { collectStatus, type StatusDeps } from '@mobius/status';
import type pg from 'pg';
import { CONSOLE_DEFAULTS } from '../config.ts';
import type { DeadLettersSource, FreshnessHistorySource, StatusSource, SyncRunsSource } from '../types.ts';
import { deadLettersFrom } from './dead-letters.ts';
import { freshnessHistoryFrom } from './freshness-history.ts';
import { syncRunsFrom } from './sync-runs.ts';

/** The backends the console reads, all read-only, owned (and closed) by the caller. */
export interface ConsoleBackends {
  /** Backlog and dead letters; absent, those numbers are null with `busNote` as the reason. */
  bus?: Bus;
  busNote?: string;
  /** RAG: the outbox (publish_events). */
  rag: pg.Pool;
  /** Chat: the sinks' state, sync_runs, reconcile runs, freshness samples. */
  chat: pg.Pool;
  /** The mart's latest run (runs behind). */
  warehouse: StatusDeps['warehouse'];
}

/** Every source of the page from the real backends: `collectStatus` for the status, Chat and the bus for the rest. */
export function consoleSources(backends: ConsoleBackends): {
  status: StatusSource;
  syncRuns: SyncRunsSource;
  deadLetters: DeadLettersSource;
  freshnessHistory: FreshnessHistorySource;
} {
  const { bus, busNote, rag, chat, warehouse } = backends;
  const statusDeps: StatusDeps = { rag, chat, warehouse, ...(bus ? { bus } : {}), ...(busNote ? { busNote } : {}) };
  return {
    status: () => collectStatus(statusDeps),
    syncRuns: syncRunsFrom(chat),
    deadLetters: bus
      ? deadLettersFrom(bus, { shown: CONSOLE_DEFAULTS.deadLettersShown, scanLimit: CONSOLE_DEFAULTS.deadLetterScanLimit })
      : async () => null,
    freshnessHistory: freshnessHistoryFrom(chat),
  };
}
