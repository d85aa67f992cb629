import type { v1 } from '@google-cloud/pubsub';
import { errorMessage } from '../../errors.ts';
import type { BusLogger } from '../../types.ts';
import { PUBSUB_TIMINGS } from './settings.ts';

/**
 * Sends one subscription's acks and deadline changes in batches (nodejs-pubsub's ack batcher, one
 * collaborator per file): an ack is `acknowledge`, a nack after `delayMs` is `modifyAckDeadline` to
 * that many seconds (rounded up: Pub/Sub counts whole seconds; 0 redelivers at once). A failed
 * request is logged, not retried: the server redelivers those messages after their deadline.
 */
export class PubSubSettler {
  readonly #client: v1.SubscriberClient;
  readonly #subscription: string;
  readonly #logger: BusLogger;
  #acks: string[] = [];
  /** Ack id -> the deadline (seconds) to set on it: the last one asked for wins, so a nack overrides a queued extension. */
  #deadlines = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(client: v1.SubscriberClient, subscription: string, logger: BusLogger) {
    this.#client = client;
    this.#subscription = subscription;
    this.#logger = logger;
  }

  ack(ackId: string): void {
    this.#deadlines.delete(ackId);
    this.#acks.push(ackId);
    this.#schedule(this.#acks.length);
  }

  /** Redelivers after `delayMs` (at once for 0), by setting the message's deadline to that. */
  nack(ackId: string, delayMs: number): void {
    this.deadline([ackId], Math.ceil(Math.max(0, delayMs) / 1_000));
  }

  /** Sets the deadline of `ackIds` to `seconds` from now (0..600); a later call for an id replaces a queued one. */
  deadline(ackIds: string[], seconds: number): void {
    const bounded = Math.min(600, Math.max(0, seconds));
    for (const ackId of ackIds) {
      this.#deadlines.delete(ackId);
      this.#deadlines.set(ackId, bounded);
    }
    this.#schedule(this.#deadlines.size);
  }

  /** Sends what is queued and resolves once every request sent so far has been answered. */
  async flush(): Promise<void> {
    this.#send();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #schedule(queued: number): void {
    if (queued >= PUBSUB_TIMINGS.settleBatchSize) {
      this.#send();
      return;
    }
    this.#timer ??= setTimeout(() => this.#send(), PUBSUB_TIMINGS.settleBatchMs);
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const [acks, deadlines] = [this.#acks, this.#deadlines];
    this.#acks = [];
    this.#deadlines = new Map();
    for (const ackIds of chunks(acks)) {
      this.#track('ack', ackIds.length, this.#client.acknowledge({ subscription: this.#subscription, ackIds }));
    }
    const bySeconds = new Map<number, string[]>();
    for (const [ackId, seconds] of deadlines) bySeconds.set(seconds, [...(bySeconds.get(seconds) ?? []), ackId]);
    for (const [seconds, ids] of bySeconds) {
      for (const ackIds of chunks(ids)) {
        const request = { subscription: this.#subscription, ackIds, ackDeadlineSeconds: seconds };
        this.#track(`set deadline ${seconds}s`, ackIds.length, this.#client.modifyAckDeadline(request));
      }
    }
  }

  #track(what: string, count: number, request: Promise<unknown>): void {
    const settled = request.then(
      () => undefined,
      (error: unknown) => {
        this.#logger.warn(
          { subscription: this.#subscription, count, error: errorMessage(error) },
          `could not ${what}; Pub/Sub redelivers after the deadline`,
        );
      },
    );
    this.#inFlight.add(settled);
    void settled.finally(() => this.#inFlight.delete(settled));
  }
}

function chunks(ids: string[]): string[][] {
  const result: string[][] = [];
  for (let start = 0; start < ids.length; start += PUBSUB_TIMINGS.settleBatchSize)
    result.push(ids.slice(start, start + PUBSUB_TIMINGS.settleBatchSize));
  return result;
}
