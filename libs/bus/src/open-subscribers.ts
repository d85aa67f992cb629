import type { Subscriber } from './types.ts';

/**
 * The subscribers a bus adapter has started and not closed yet, so that closing the bus drains every
 * one of them first (their handlers may still publish). Each adapter keeps one.
 */
export class OpenSubscribers {
  readonly #open = new Set<Subscriber>();

  /** Keeps `running` until it closes; the returned subscriber's close also forgets it. */
  track(running: Subscriber): Subscriber {
    const subscriber: Subscriber = {
      close: async () => {
        await running.close();
        this.#open.delete(subscriber);
      },
    };
    this.#open.add(subscriber);
    return subscriber;
  }

  /** Closes every subscriber still open, at once; each drains its in-flight messages. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#open].map((subscriber) => subscriber.close()));
  }
}
