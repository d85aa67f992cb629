import type { Delivery } from '../../dispatcher.ts';
import type { DeliverySource } from '../../subscription.ts';
import { toMessage, type TopicLog } from './log.ts';

interface InFlight {
  /** Identifies this delivery: an ack or nak of an older delivery of the same message is ignored. */
  token: number;
  ackTimer: NodeJS.Timeout;
}

/**
 * One subscription's delivery state over a topic log, shaped like a JetStream durable consumer:
 * a cursor over new messages, messages due for redelivery (nacked, or unacked past the ack wait),
 * and the attempt count of each message not yet acked. Every subscriber of the subscription pulls
 * from this one state, so they compete for its messages.
 */
export class MemorySubscription {
  ackWaitMs: number;
  readonly #log: TopicLog;
  readonly #topic: string;
  #next = 1;
  /** Sequence -> when it may be redelivered (epoch ms). */
  readonly #due = new Map<number, number>();
  readonly #inFlight = new Map<number, InFlight>();
  readonly #attempts = new Map<number, number>();
  readonly #waiters = new Set<() => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #tokens = 0;

  constructor(log: TopicLog, topic: string, ackWaitMs: number) {
    this.#log = log;
    this.#topic = topic;
    this.ackWaitMs = ackWaitMs;
  }

  /** Wakes every waiting fetch (a message was published or became due). */
  notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Waits until at least one message is available (or `signal` aborts) and delivers up to `max`. */
  async fetch(max: number, deliver: (delivery: Delivery) => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const sequences = this.#take(max);
      if (sequences.length > 0) {
        for (const sequence of sequences) deliver(this.#deliver(sequence));
        return;
      }
      await this.#waitForNews(signal, this.#untilNextDue());
    }
  }

  /** Rewinds: the next delivery is `sequence`; pending redeliveries and in-flight deliveries are forgotten. */
  replayFrom(sequence: number): void {
    for (const { ackTimer } of this.#inFlight.values()) clearTimeout(ackTimer);
    this.#inFlight.clear();
    this.#due.clear();
    this.#attempts.clear();
    this.#next = Math.max(1, sequence);
    this.notify();
  }

  /**
   * What is not acked yet (`mobius status`): messages not delivered yet, in flight, or waiting for
   * redelivery, and the lowest sequence among them. Removed messages are not counted.
   */
  unacked(): { count: number; oldestSequence: number | undefined } {
    const sequences = [...this.#due.keys(), ...this.#inFlight.keys()].filter((sequence) => !this.#log.isRemoved(sequence));
    for (let sequence = this.#next; this.#log.at(sequence); sequence += 1) {
      if (!this.#log.isRemoved(sequence)) sequences.push(sequence);
    }
    return { count: sequences.length, oldestSequence: sequences.length > 0 ? Math.min(...sequences) : undefined };
  }

  /** Stops every timer (the bus is closing). */
  dispose(): void {
    for (const { ackTimer } of this.#inFlight.values()) clearTimeout(ackTimer);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.notify();
  }

  /** Due redeliveries first (oldest sequence first), then new messages. */
  #take(max: number): number[] {
    const now = Date.now();
    const due = [...this.#due]
      .filter(([, at]) => at <= now)
      .map(([sequence]) => sequence)
      .sort((a, b) => a - b);
    for (const sequence of due) if (this.#log.isRemoved(sequence)) this.#due.delete(sequence);
    const taken = due.filter((sequence) => !this.#log.isRemoved(sequence)).slice(0, max);
    for (const sequence of taken) this.#due.delete(sequence);
    while (taken.length < max && this.#log.at(this.#next)) {
      if (!this.#log.isRemoved(this.#next)) taken.push(this.#next);
      this.#next += 1;
    }
    return taken;
  }

  #deliver(sequence: number): Delivery {
    const entry = this.#log.at(sequence);
    if (!entry) throw new Error(`memory bus: no message at ${this.#topic}#${sequence}`);
    const attempt = (this.#attempts.get(sequence) ?? 0) + 1;
    this.#attempts.set(sequence, attempt);
    const token = ++this.#tokens;
    const ackTimer = setTimeout(() => this.#giveBack(sequence, token, 0), this.ackWaitMs).unref();
    this.#inFlight.set(sequence, { token, ackTimer });
    return {
      message: toMessage(entry, this.#topic, attempt),
      ack: () => {
        if (!this.#release(sequence, token)) return;
        this.#attempts.delete(sequence);
      },
      nak: (delayMs) => this.#giveBack(sequence, token, delayMs),
    };
  }

  /** Ends delivery `token` of `sequence`; false if it is no longer the current one (stale settle). */
  #release(sequence: number, token: number): boolean {
    const current = this.#inFlight.get(sequence);
    if (current?.token !== token) return false;
    clearTimeout(current.ackTimer);
    this.#inFlight.delete(sequence);
    return true;
  }

  #giveBack(sequence: number, token: number, delayMs: number): void {
    if (!this.#release(sequence, token)) return;
    this.#due.set(sequence, Date.now() + delayMs);
    if (delayMs <= 0) {
      this.notify();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.notify();
    }, delayMs).unref();
    this.#timers.add(timer);
  }

  /**
   * Milliseconds until the earliest pending redelivery is due, if any. Waiting on this as well as on
   * `notify` matters: a timer may fire a millisecond before `Date.now()` reaches its due time.
   */
  #untilNextDue(): number | undefined {
    if (this.#due.size === 0) return undefined;
    return Math.max(1, Math.min(...this.#due.values()) - Date.now() + 1);
  }

  #waitForNews(signal: AbortSignal, timeoutMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => wake(), timeoutMs).unref();
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}

/** One subscriber's view of a memory subscription: what `runSubscription` pulls from. */
export class MemoryDeliverySource implements DeliverySource {
  /** A fetch returns as soon as it delivered what was there: overlapping fetches would gain nothing. */
  readonly pipelined = false;
  readonly #subscription: MemorySubscription;
  readonly #interrupted = new AbortController();

  constructor(subscription: MemorySubscription) {
    this.#subscription = subscription;
  }

  fetch(max: number, deliver: (delivery: Delivery) => void): Promise<void> {
    return this.#subscription.fetch(max, deliver, this.#interrupted.signal);
  }

  interrupt(): void {
    this.#interrupted.abort();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
