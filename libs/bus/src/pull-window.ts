import { PULL_WINDOW } from './defaults.ts';
import type { Delivery, Dispatcher } from './dispatcher.ts';
import { errorMessage } from './errors.ts';
import type { DeliverySource } from './subscription.ts';
import type { BusLogger } from './types.ts';

export interface PullWindowOptions {
  source: DeliverySource;
  dispatcher: Dispatcher;
  concurrency: number;
  logger: BusLogger;
  /** Fields every log line of this subscriber carries (topic, subscription). */
  logFields: Record<string, string>;
}

/**
 * The pull loop of every pull adapter. A subscriber's window is `concurrency` messages: those the
 * dispatcher holds plus those asked of the backend and not yet received; the window never asks for
 * more than that, so a subscriber whose handlers are all busy asks for nothing (backpressure), and
 * nothing waits unhandled in the process while its ack wait runs.
 *
 * It asks once a refill's worth is free (`PULL_WINDOW.refillFraction` of the window), and then for
 * all that is free, so messages come in batches rather than one per freed slot. A source whose
 * deliveries reach the dispatcher in the backend's order whatever fetch they answer (`pipelined`)
 * gets the next batch asked for while the previous one is still arriving; others get one fetch at a
 * time. With fewer slots free than a refill and nothing being fetched, it waits `gatherMs` for more
 * to free before asking for what is free.
 */
export class PullWindow {
  readonly #options: PullWindowOptions;
  readonly #refillAt: number;
  readonly #stopped = new AbortController();
  readonly #fetches = new Set<Promise<void>>();
  readonly #done: Promise<void>;
  /** Messages asked for and not yet received. */
  #requested = 0;
  /** Ends the loop's current sleep (set only while it sleeps). */
  #wake: (() => void) | undefined;
  /** Since when fewer than a refill's worth of slots are free with nothing being fetched. */
  #shortSince: number | undefined;
  /** After a failed fetch: no fetch before this time (epoch ms). */
  #pausedUntil = 0;

  constructor(options: PullWindowOptions) {
    this.#options = options;
    this.#refillAt = Math.max(1, Math.ceil(options.concurrency * PULL_WINDOW.refillFraction));
    this.#done = this.#run();
  }

  /** Tells the window a slot freed (the dispatcher settled a message). */
  notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Stops asking: interrupts the fetches in flight and resolves once every one has ended. A message
   * that still arrives is given back at once (nak 0), never handled.
   */
  stop(): Promise<void> {
    this.#stopped.abort();
    this.#options.source.interrupt();
    this.notify();
    return this.#done;
  }

  async #run(): Promise<void> {
    while (!this.#stopped.signal.aborted) {
      const now = Date.now();
      const ask = this.#due(now);
      if (ask > 0) this.#fetch(ask);
      else await this.#sleep(this.#recheckIn(now));
    }
    await Promise.all([...this.#fetches]);
  }

  /** How many messages to ask for now: 0 to wait for a slot to free or a fetch to end. */
  #due(now: number): number {
    if (now < this.#pausedUntil) return 0;
    const free = this.#options.dispatcher.capacity - this.#requested;
    const fetching = this.#fetches.size > 0;
    if (free <= 0 || (fetching && !this.#options.source.pipelined)) return 0;
    if (free >= this.#refillAt) {
      this.#shortSince = undefined;
      return free;
    }
    // A pipelined fetch still in flight will bring messages: wait for a refill's worth to free.
    if (fetching) return 0;
    this.#shortSince ??= now;
    if (now - this.#shortSince < PULL_WINDOW.gatherMs) return 0;
    this.#shortSince = undefined;
    return free;
  }

  /** When the loop must look again even if nothing notifies it (a pause or a gather wait ending). */
  #recheckIn(now: number): number | undefined {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    if (this.#shortSince !== undefined) return Math.max(0, this.#shortSince + PULL_WINDOW.gatherMs - now);
    return undefined;
  }

  #fetch(ask: number): void {
    const { source, dispatcher, logger, logFields } = this.#options;
    const stopped = this.#stopped.signal;
    this.#requested += ask;
    let received = 0;
    const deliver = (delivery: Delivery) => {
      if (received < ask) {
        received += 1;
        this.#requested -= 1;
      }
      // Arrived once closing began: never handed to the handler, so give it back at once.
      if (stopped.aborted) delivery.nak(0);
      else dispatcher.dispatch(delivery);
    };
    const fetch: Promise<void> = source
      .fetch(ask, deliver)
      .catch((error: unknown) => {
        if (stopped.aborted || Date.now() < this.#pausedUntil) return;
        logger.warn({ ...logFields, error: errorMessage(error) }, 'pulling messages failed; retrying');
        this.#pausedUntil = Date.now() + PULL_WINDOW.errorPauseMs;
      })
      .finally(() => {
        // What the fetch did not bring is free again; a late delivery no longer counts against it.
        this.#requested -= ask - received;
        received = ask;
        this.#fetches.delete(fetch);
        this.notify();
      });
    this.#fetches.add(fetch);
  }

  #sleep(timeoutMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.notify(), timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
