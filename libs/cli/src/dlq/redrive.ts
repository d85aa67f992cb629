import { setTimeout as sleep } from 'node:timers/promises';
import { FAILURE_ATTRIBUTE_NAMES, deadLetterInfo, type Bus, type DeadLetterStore, type Message, type PublishRequest } from '@mobius/bus';

/** What a redriven message carries besides the dead letter's original attributes: who moved it, when, from where. */
export const REDRIVE_ATTRIBUTES = {
  by: 'mobius-redriven-by',
  at: 'mobius-redriven-at',
  /** The dead letter's id (the original message id). */
  from: 'mobius-redriven-from',
} as const;

/** Every default of a redrive, in one place. */
export const REDRIVE_DEFAULTS = {
  /** Messages republished per second: a backlog of dead letters must not flood a consumer that just recovered. */
  ratePerSecond: 50,
  /** Dead letters removed in one call after their republishes were acknowledged (one read of the dead-letter list each). */
  removeBatchSize: 100,
  /** Before the one retry of a removal that missed some dead letters (a concurrent reader held them). */
  removeRetryPauseMs: 1_000,
  /** On a terminal, at most one progress line per this long. */
  progressIntervalMs: 1_000,
} as const;

export interface RedriveOptions {
  /** The subscription's topic: where the messages go back to. */
  topic: string;
  subscription: string;
  ratePerSecond: number;
  /** Who redrives (`--by`, else $USER). */
  by: string;
  dryRun: boolean;
  /** Writes one line of results (stdout). */
  out: (line: string) => void;
  /** Writes progress and warnings (stderr). */
  err: (line: string) => void;
  terminal: boolean;
}

export interface RedriveResult {
  redriven: { id: string; redriven_as: string }[];
  /** Republished, but not removed: gone already (someone else removed it) or held by another reader. */
  notRemoved: number;
  /** The publish that failed, which stopped the redrive; the dead letter stays. */
  failed?: { id: string; error: string };
}

/**
 * Puts dead letters back on their subscription's topic, oldest first, at most `ratePerSecond`: each
 * is republished with a fresh message id (the dead letter kept the original id, which JetStream's
 * dedupe would drop within its window; see the dead-letter middleware) derived from the dead letter,
 * so a retried redrive of the same dead letter is still recognised as a duplicate. A dead letter is
 * removed only after its republish was acknowledged, in batches. The first failed publish stops the
 * redrive (the bus is most likely down): what was acknowledged until then is removed, the rest stays.
 */
export async function redrive(bus: Bus, store: DeadLetterStore, deadLetters: Message[], options: RedriveOptions): Promise<RedriveResult> {
  const result: RedriveResult = { redriven: [], notRemoved: 0 };
  if (options.dryRun) {
    for (const message of deadLetters) options.out(`would redrive ${message.id} (${deadLetterInfo(message).code}) to ${options.topic}`);
    return result;
  }
  const progress = progressReporter(deadLetters.length, options);
  const intervalMs = 1_000 / options.ratePerSecond;
  const startedAt = Date.now();
  let pending: string[] = [];
  for (const [index, message] of deadLetters.entries()) {
    const slot = startedAt + index * intervalMs;
    if (slot > Date.now()) await sleep(slot - Date.now());
    const request = redriveRequest(message, options.topic, options.by, new Date());
    try {
      await bus.publish(request);
    } catch (error) {
      result.failed = { id: message.id, error: error instanceof Error ? error.message : String(error) };
      break;
    }
    options.out(`redriven ${message.id} -> ${options.topic} as ${request.id} by ${options.by}`);
    result.redriven.push({ id: message.id, redriven_as: request.id });
    pending.push(message.id);
    progress(result.redriven.length);
    if (pending.length >= REDRIVE_DEFAULTS.removeBatchSize) pending = await removeAcknowledged(store, options, pending, result);
  }
  await removeAcknowledged(store, options, pending, result);
  return result;
}

/**
 * Removes the dead letters whose republish was acknowledged; returns the new (empty) batch. On Pub/Sub
 * a reader holding some of them at that moment hides them from the removal: one more try after a pause.
 */
async function removeAcknowledged(store: DeadLetterStore, options: RedriveOptions, ids: string[], result: RedriveResult): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  let removed = await store.remove(options.topic, options.subscription, unique);
  if (removed < unique.length) {
    await sleep(REDRIVE_DEFAULTS.removeRetryPauseMs);
    removed += await store.remove(options.topic, options.subscription, unique);
  }
  result.notRemoved += Math.max(0, unique.length - removed);
  return [];
}

/**
 * The message a dead letter is redriven as: its body, ordering key and event attributes (CloudEvents,
 * traceparent: the trace goes on), none of the failure's, plus who redrove it, when, and from which
 * dead letter. Its id is the original id (without an earlier redrive's suffix) and `~redrive-<time the
 * dead letter was written>`: fresh, and the same for every retry of this dead letter's redrive.
 */
export function redriveRequest(message: Message, topic: string, by: string, at: Date): PublishRequest {
  const attributes = Object.fromEntries(Object.entries(message.attributes).filter(([name]) => !FAILURE_ATTRIBUTE_NAMES.has(name)));
  Object.assign(attributes, { [REDRIVE_ATTRIBUTES.by]: by, [REDRIVE_ATTRIBUTES.at]: at.toISOString(), [REDRIVE_ATTRIBUTES.from]: message.id });
  const id = `${message.id.replace(/~redrive-\d+$/, '')}~redrive-${message.publishedAt.getTime()}`;
  const request: PublishRequest = { topic, id, data: message.data, attributes };
  if (message.orderingKey !== undefined) request.orderingKey = message.orderingKey;
  return request;
}

/**
 * Progress of a redrive on stderr: on a terminal at most one line a second with the rate and the ETA;
 * otherwise (logs, CI) one line each time another 10% is done.
 */
export function progressReporter(
  total: number,
  options: Pick<RedriveOptions, 'err' | 'terminal'>,
  now: () => number = Date.now,
): (done: number) => void {
  const startedAt = now();
  let lastPrinted = 0;
  let lastTenth = 0;
  return (done) => {
    const time = now();
    const tenth = Math.floor((done / total) * 10);
    if (options.terminal ? time - lastPrinted < REDRIVE_DEFAULTS.progressIntervalMs && done < total : tenth <= lastTenth) return;
    lastPrinted = time;
    lastTenth = tenth;
    const rate = done / Math.max((time - startedAt) / 1_000, 0.001);
    const eta = Math.ceil((total - done) / rate);
    options.err(`redrive: ${done}/${total} (${Math.round((done / total) * 100)}%), ${rate.toFixed(1)}/s, ETA ${eta} s`);
  };
}
