import { errorCode, errorMessage } from './errors.ts';
import type { BusLogger, Handler, Message } from './types.ts';

/** One delivery as an adapter hands it over: the message and how to settle it with the backend. */
export interface Delivery {
  message: Message;
  /** Tells the backend the message is done. Called once, only after the handler resolved. */
  ack(): void;
  /** Gives the message back for redelivery after `delayMs` (0: at once). */
  nak(delayMs: number): void;
}

export interface DispatcherOptions {
  /** The handler with the whole middleware chain (dead-letter outermost) already applied. */
  handler: Handler;
  concurrency: number;
  backoffMs: readonly number[];
  logger: BusLogger;
  /** Fields every log line of this subscriber carries (topic, subscription). */
  logFields: Record<string, string>;
  /** Called after each message is settled (a slot freed), so a pull loop can ask for more. */
  onSettled?: () => void;
}

interface Held {
  delivery: Delivery;
  /** Set once acked or nacked; a held message is settled exactly once. */
  settled: boolean;
}

/**
 * Runs deliveries through the handler and settles them: ack when it resolves, nak with the backoff
 * of its attempt when it throws. At most `concurrency` messages are held (received, not settled):
 * the pull window (pull-window.ts) never asks the backend for more than `capacity` less what it has
 * already asked for. Messages sharing an ordering key run one at a time in the order they were
 * dispatched (the stream's order); other messages and other keys run concurrently.
 * Shared by every adapter, so ack/nak behaviour cannot differ between them.
 *
 * Ordering holds within one subscriber. A message nacked for a later redelivery comes back after
 * later messages of its key (the retry middleware holds the key through quick transient failures),
 * and competing subscribers of one subscription each order only the messages they receive.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #held = new Set<Held>();
  /** Per ordering key, the messages waiting behind the one running. */
  readonly #keyQueues = new Map<string, Held[]>();
  #drainWaiters: (() => void)[] = [];
  #abandoned = false;

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** How many more messages may be fetched now. */
  get capacity(): number {
    return Math.max(0, this.#options.concurrency - this.#held.size);
  }

  /** Takes a delivery: runs it now, or queues it behind the running message of its ordering key. */
  dispatch(delivery: Delivery): void {
    const held: Held = { delivery, settled: false };
    this.#held.add(held);
    const key = delivery.message.orderingKey;
    if (key === undefined) {
      void this.#run(held);
      return;
    }
    const queue = this.#keyQueues.get(key);
    if (queue) {
      queue.push(held);
      return;
    }
    this.#keyQueues.set(key, []);
    void this.#runKey(key, held);
  }

  /**
   * Waits until every held message is settled, including those queued behind an ordering key. After
   * `timeoutMs`, gives back (nak 0) whatever is still held, starts no queued handler, and resolves; a
   * late result of a handler still running is then ignored.
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#held.size > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.#held.size === 0) return;
    this.#abandoned = true;
    this.#options.logger.warn({ ...this.#options.logFields, held: this.#held.size }, 'drain timed out: giving back unfinished messages');
    for (const held of [...this.#held]) this.#settle(held, () => held.delivery.nak(0));
  }

  async #runKey(key: string, first: Held): Promise<void> {
    let next: Held | undefined = first;
    while (next) {
      await this.#run(next);
      next = this.#abandoned ? undefined : this.#keyQueues.get(key)?.shift();
    }
    this.#keyQueues.delete(key);
  }

  async #run(held: Held): Promise<void> {
    if (held.settled) return;
    const { message } = held.delivery;
    try {
      await this.#options.handler(message);
    } catch (error) {
      const delayMs = this.#backoffFor(message.deliveryAttempt);
      this.#options.logger.warn(
        { ...this.#options.logFields, messageId: message.id, attempt: message.deliveryAttempt, code: errorCode(error), retryInMs: delayMs },
        `handler failed, will redeliver: ${errorMessage(error)}`,
      );
      this.#settle(held, () => held.delivery.nak(delayMs));
      return;
    }
    this.#settle(held, () => held.delivery.ack());
  }

  #settle(held: Held, settle: () => void): void {
    if (held.settled) return;
    held.settled = true;
    this.#held.delete(held);
    try {
      settle();
    } catch (error) {
      // The backend will redeliver after its ack wait; nothing is lost, so log and go on.
      this.#options.logger.warn(
        { ...this.#options.logFields, messageId: held.delivery.message.id, error: errorMessage(error) },
        'could not settle message',
      );
    }
    this.#wakeDrain();
    this.#options.onSettled?.();
  }

  /** Lets a waiting `drain` look again. */
  #wakeDrain(): void {
    if (this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #backoffFor(attempt: number): number {
    const { backoffMs } = this.#options;
    return backoffMs[Math.min(Math.max(attempt, 1) - 1, backoffMs.length - 1)] ?? 0;
  }
}
