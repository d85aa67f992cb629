import { setTimeout as sleep } from 'node:timers/promises';
import { createServiceBus, createServiceWarehouse } from '@mobius/backends';
import type { Bus } from '@mobius/bus';
import { loadBusConfig, loadPipelineConfig, type PipelineConfig } from '@mobius/config';
import { createPool } from '@mobius/db';
import { collectStatus, evaluateThresholds, parseFailOn, type PipelineStatus, type StatusDeps, type Threshold } from '@mobius/status';
import { CommandExit } from '../command-exit.ts';
import type { CliIO } from '../io.ts';
import { announceTarget, busItem, databaseItem, resolveCliEnv, type ResolvedCliEnv } from '../runtime/index.ts';
import { renderStatus } from './status-table.ts';

export interface StatusCommandOptions {
  json?: boolean;
  /** `--watch` alone (true) or `--watch <seconds>`. */
  watch?: boolean | string;
  /** `--fail-on key=value,...` */
  failOn?: string;
  dataDir?: string;
}

/** Every default of the command, in one place. */
export const STATUS_COMMAND_DEFAULTS = {
  /** `--watch` without a number reprints this often. */
  watchSeconds: 5,
  /** The exit code when a `--fail-on` threshold is crossed (1 is "could not read the status"). */
  crossedExitCode: 2,
} as const;

export class StatusCommandError extends Error {
  readonly code = 'STATUS_INPUT';
  readonly retryable = false;
}

function watchSecondsOf(watch: StatusCommandOptions['watch']): number | undefined {
  if (watch === undefined || watch === false) return undefined;
  if (watch === true) return STATUS_COMMAND_DEFAULTS.watchSeconds;
  const seconds = Number(watch);
  if (!(seconds > 0)) throw new StatusCommandError(`--watch takes a number of seconds above 0 (got ${JSON.stringify(watch)})`);
  return seconds;
}

/** What the command reads from, opened once (and kept across --watch rounds). */
interface Sources {
  rag: ReturnType<typeof createPool>;
  chat: ReturnType<typeof createPool>;
  warehouse: Awaited<ReturnType<typeof createServiceWarehouse>>;
  bus: Bus | undefined;
  busNote: string | undefined;
}

async function openSources(pipeline: PipelineConfig, resolved: ResolvedCliEnv): Promise<Sources> {
  const rag = createPool(pipeline.ragDatabaseUrl, { applicationName: 'mobius-status' });
  const chat = createPool(pipeline.chatDatabaseUrl, { applicationName: 'mobius-status' });
  const warehouse = await createServiceWarehouse('mobius', pipeline, { applicationName: 'mobius-status' });
  const busConfig = loadBusConfig('mobius', resolved.env);
  if (busConfig.kind === 'memory') {
    return {
      rag,
      chat,
      warehouse,
      bus: undefined,
      busNote: 'BUS=memory lives inside the process that runs it (mobius dev): nothing to ask from here',
    };
  }
  try {
    // Read-only: never create topics or subscriptions from a status command.
    const bus = await createServiceBus('mobius', { ...busConfig, pubsub: { ...busConfig.pubsub, provision: 'off' } });
    return { rag, chat, warehouse, bus, busNote: undefined };
  } catch (error) {
    return { rag, chat, warehouse, bus: undefined, busNote: `the bus did not answer: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function statusDeps({ rag, chat, warehouse, bus, busNote }: Sources): StatusDeps {
  return bus ? { rag, chat, warehouse, bus } : { rag, chat, warehouse, ...(busNote ? { busNote } : {}) };
}

async function closeSources(sources: Sources): Promise<void> {
  await Promise.allSettled([sources.bus?.close(), sources.warehouse.close(), sources.rag.end(), sources.chat.end()]);
}

/** Prints one round; returns the threshold messages crossed. */
function printRound(io: CliIO, status: PipelineStatus, options: StatusCommandOptions, thresholds: readonly Threshold[]): string[] {
  if (options.json) io.out(JSON.stringify(status, null, 2));
  else for (const line of renderStatus(status)) io.out(line);
  if (thresholds.length === 0) return [];
  const { crossed, unchecked } = evaluateThresholds(status, thresholds);
  if (unchecked.length > 0) io.err(`mobius status: not checked (no value): ${unchecked.join(', ')}`);
  for (const crossing of crossed) io.err(`mobius status: crossed: ${crossing.message}`);
  return crossed.map((crossing) => crossing.message);
}

/**
 * `mobius status`: the pipeline's status (docs/status.md) from RAG's outbox, Chat's sink state,
 * freshness samples and reconcile runs, the warehouse's latest mart run and the bus. `--json` prints
 * the object; `--watch [s]` reprints every s seconds until Ctrl-C (or `signal`); `--fail-on` exits 2
 * when a threshold is crossed (printing which on stderr), 1 when the status cannot be read. With
 * `--watch`, crossings are printed each round and the command keeps going.
 */
export async function statusCommand(options: StatusCommandOptions, io: CliIO, signal?: AbortSignal): Promise<void> {
  const thresholds = options.failOn ? parseFailOn(options.failOn) : [];
  const watchSeconds = watchSecondsOf(options.watch);
  const resolved = await resolveCliEnv(io, options.dataDir ? { dataDir: options.dataDir } : {});
  const pipeline = loadPipelineConfig(resolved.env);
  const warehouseWhere =
    pipeline.warehouse.kind === 'bigquery' ? `bigquery ${pipeline.warehouse.projectId}.${pipeline.warehouse.dataset}` : pipeline.warehouseDatabaseUrl;
  announceTarget(io, 'status', resolved, [
    databaseItem('rag (read)', pipeline.ragDatabaseUrl),
    databaseItem('chat', pipeline.chatDatabaseUrl),
    databaseItem('warehouse', warehouseWhere),
    busItem(resolved.env),
  ]);
  const sources = await openSources(pipeline, resolved);
  const stop = watchSeconds === undefined ? undefined : stopSignal(signal);
  try {
    for (;;) {
      const status = await collectStatus(statusDeps(sources));
      const crossed = printRound(io, status, options, thresholds);
      if (!stop) {
        if (crossed.length > 0) throw new CommandExit(STATUS_COMMAND_DEFAULTS.crossedExitCode);
        return;
      }
      await sleep(watchSeconds! * 1_000, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) return;
      io.out('');
    }
  } finally {
    stop?.dispose();
    await closeSources(sources);
  }
}

/** Aborts on Ctrl-C (SIGINT) or when the caller's signal aborts. */
function stopSignal(signal: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  signal?.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', abort);
      signal?.removeEventListener('abort', abort);
    },
  };
}
